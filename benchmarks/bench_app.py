"""MLM app platform: request cost through the security middleware, event building, shipping rate.

- requests/s for an anonymous page (GET /login) and a signed-in page (GET /: session lookup,
  rotation check, template), in process through the ASGI stack (no network);
- events/s for building one `mlm.http` event with a redacted form body;
- events/s the shipper delivers to a local HTTP endpoint (gzip NDJSON batches of 200).
"""

from __future__ import annotations

import gzip
import re
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from mlm_app.accounts.service import create_account
from mlm_app.db import transaction
from mlm_app.events.emitter import Emitter
from mlm_app.events.redact import redact_body
from mlm_app.events.shipper import Shipper
from mlm_app.events.transports import HttpTransport
from mlm_app.main import create_app
from mlm_app.settings import AppSettings


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def _requests(data_dir: Path, n: int) -> dict[str, Any]:
    app = create_app(AppSettings(data_dir=data_dir, shipper="off"))
    with transaction(app.state.db_factory) as db:
        create_account(db, "bench.user", "bench password 123", "distributor", "D000001")
    client = TestClient(app, client=("203.0.113.1", 4000), follow_redirects=False)
    started = time.perf_counter()
    for _ in range(n):
        client.get("/login")
    anonymous = time.perf_counter() - started
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": "bench.user", "password": "bench password 123", "csrf_token": token})
    started = time.perf_counter()
    for _ in range(n):
        assert client.get("/").status_code == 200
    signed_in = time.perf_counter() - started
    app.state.engine.dispose()
    return {"anonymous_page_req_per_s": _rate(n, anonymous), "signed_in_page_req_per_s": _rate(n, signed_in),
            "signed_in_page_ms": round(1000 * signed_in / n, 2)}


def _events(n: int) -> dict[str, Any]:
    sink: list[dict[str, Any]] = []
    emitter = Emitter([sink.append])
    body = b"username=amy&password=hunter2hunter2&csrf_token=abc&q=%27+OR+1%3D1--"
    started = time.perf_counter()
    for _ in range(n):
        emitter.emit("mlm.http", "http_request", fields={
            "http.request.method": "POST", "url.path": "/login", "source.ip": "203.0.113.1",
            "http.request.body.content": redact_body(body, "application/x-www-form-urlencoded"),
            "http.response.status_code": 401, "event.duration": 1000})
        if len(sink) > 1000:
            sink.clear()
    return {"http_events_built_per_s": _rate(n, time.perf_counter() - started)}


class _Sink(BaseHTTPRequestHandler):
    received = 0

    def do_POST(self) -> None:
        body = gzip.decompress(self.rfile.read(int(self.headers["content-length"])))
        _Sink.received += body.count(b"\n")
        self.send_response(200)
        self.send_header("content-length", "27")
        self.end_headers()
        self.wfile.write(b'{"accepted":0,"rejected":[]}'[:27])

    def log_message(self, *args: Any) -> None:
        pass


def _shipping(data_dir: Path, n: int) -> dict[str, Any]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    shipper = Shipper(HttpTransport(url, "t"), data_dir / "buf", batch=200, flush_seconds=0.05, queue_size=n + 10)
    event = Emitter().emit("mlm.auth", "login", fields={"user.id": "D000001", "source.ip": "203.0.113.1"})
    started = time.perf_counter()
    for _ in range(n):
        shipper.submit(event)
    submit = time.perf_counter() - started
    shipper.start()
    while _Sink.received < n and time.perf_counter() - started < 120:
        time.sleep(0.01)
    total = time.perf_counter() - started
    shipper.stop()
    server.shutdown()
    return {"submit_per_s": _rate(n, submit), "shipped_per_s": _rate(_Sink.received, total)}


def run(quick: bool) -> dict[str, Any]:
    n_req, n_events = (200, 5_000) if quick else (1_000, 50_000)
    with tempfile.TemporaryDirectory() as tmp:
        figures = _requests(Path(tmp) / "app", n_req)
        figures.update(_events(n_events))
        figures.update(_shipping(Path(tmp), n_events))
    return figures
