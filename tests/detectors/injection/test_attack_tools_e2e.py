"""Real attack tools against a recording HTTP endpoint: sqlmap must give injection alerts, wrk a flood alert.

The endpoint stands in for the app's `GET /shop?q=`: it answers every request and records it as an
`mlm.http` event the way the app's security log does (raw query, user agent, source IP after no
proxy). Loopback is an ordinary client here; nothing is whitelisted.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from builders import free_port

from core.event import Event, format_timestamp
from detectors.flood import FloodDetector
from detectors.injection import InjectionDetector

_ids = itertools.count(1)


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so wrk measures the detector's input, not TCP setup
    events: list[dict[str, Any]]
    lock: threading.Lock

    def do_GET(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
        self._answer(self.rfile.read(length))

    def _answer(self, body: bytes) -> None:
        path, _, query = self.path.partition("?")
        doc: dict[str, Any] = {
            "@timestamp": format_timestamp(datetime.now(UTC)), "event.id": f"e2e-{next(_ids)}",
            "event.dataset": "mlm.http", "event.action": "http_request", "event.kind": "event",
            "event.category": ["web"], "event.outcome": "success", "service.name": "mlm_app",
            "source.ip": self.client_address[0], "http.request.method": self.command, "url.path": path,
            "user_agent.original": self.headers.get("User-Agent", ""), "http.response.status_code": 200,
        }
        if query:
            doc["url.query"] = query
        if body:
            doc["http.request.body.content"] = body[:4096].decode("utf-8", "replace")
        if self.headers.get("Referer"):
            doc["http.request.referrer"] = self.headers["Referer"]
        with self.lock:
            self.events.append(doc)
        page = b"<html><body><h1>Shop</h1><p>3 products found</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    events: list[dict[str, Any]] = []
    handler = type("Handler", (_Recorder,), {"events": events, "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", events
    server.shutdown()
    server.server_close()


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed: scripts/system-deps.sh installs it (apt-get install {name})"
    return path


def test_sqlmap_batch_scan_gives_few_injection_alerts_on_loopback(
        endpoint: tuple[str, list[dict[str, Any]]], tmp_path: Path, detector: InjectionDetector) -> None:
    url, events = endpoint
    env = dict(os.environ, HOME=str(tmp_path))
    subprocess.run([_tool("sqlmap"), "-u", f"{url}/shop?q=shoes", "--batch", "--flush-session",
                    "--disable-coloring", "--output-dir", str(tmp_path / "out"), "-p", "q"],
                   env=env, capture_output=True, timeout=240, check=False)
    assert len(events) > 50, "sqlmap sent too few requests to be a scan"
    alerts = [a for doc in events for a in detector.process(Event.from_dict(doc))]
    rules = [a.rule_id for a in alerts]
    assert "injection.sqli" in rules and rules.count("injection.scanner") == 1
    assert all(a.entity_value == "127.0.0.1" for a in alerts)
    assert len(alerts) <= 8, rules  # hundreds of payloads, a handful of alerts
    scanner = next(a for a in alerts if a.rule_id == "injection.scanner")
    assert "sqlmap" in scanner.summary and scanner.severity in ("high", "critical")
    attacks = sum(1 for doc in events if detector.analyzer.findings(Event.from_dict(doc).flat))
    print(f"\nsqlmap: {len(events)} requests, {attacks} seen as payloads, alerts: {rules}")


def test_wrk_on_loopback_gives_one_flood_alert_within_60_s(endpoint: tuple[str, list[dict[str, Any]]]) -> None:
    url, events = endpoint
    subprocess.run([_tool("wrk"), "-t1", "-c8", "-d8s", f"{url}/shop"], capture_output=True, timeout=60,
                   check=True)
    assert len(events) > 600
    detector = FloodDetector()
    parsed = [Event.from_dict(doc) for doc in events]
    alerts = [(e, a) for e in parsed for a in detector.process(e)]
    assert [a.rule_id for _, a in alerts] == ["flood.ip"]
    event, alert = alerts[0]
    assert alert.entity_value == "127.0.0.1" and alert.category == "traffic_flood"
    assert event.ts - parsed[0].ts <= 60
    print(f"\nwrk: {len(events)} requests in 8 s, flood alert after {event.ts - parsed[0].ts:.2f} s of event time")
