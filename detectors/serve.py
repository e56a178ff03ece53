"""`mlm-siem serve-detectors`: one detector worker of the distributed deployment, with `/health`.

Scale out on a Kafka bus by scope (`MLM_SIEM_DETECTORS_SCOPE`, detectors/scope.py): events are keyed
by entity, so `entity` workers (any number, one group) each see every event of their users and their
windows stay whole; one `global` worker (its own group) runs the detectors that count across users.
`all` runs every detector: right for a single worker, wrong for several in one group.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from core.bus import open_bus
from core.store import open_store
from detectors.scope import build_engine
from detectors.settings import DetectorSettings
from detectors.worker import DetectorWorker

log = logging.getLogger(__name__)


def health_server(host: str, port: int, stats: Callable[[], dict[str, Any]]) -> ThreadingHTTPServer:
    """A tiny HTTP server answering GET /health with the worker's counters (JSON)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/health":
                self._send(404, {"error": "not found"})
                return
            body = stats()
            status = "ok" if body.get("running") else "down"
            if status == "ok" and body.get("whole_stream_lost"):
                status = "split"  # a global-scope member sharing its group sees only part of the stream
            self._send(200 if status == "ok" else 503, {"status": status, **body})

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:  # health probes would flood the log
            pass

    return ThreadingHTTPServer((host, port), Handler)


def serve_detectors(settings: DetectorSettings, stop: threading.Event | None = None) -> int:
    """Run until SIGINT/SIGTERM (or `stop` is set): consume events, write alerts, serve /health."""
    stop = stop or threading.Event()
    engine = build_engine(settings.detector_config(), settings.scope)
    store = open_store(settings.resolved_store_url())
    bus = open_bus(settings.bus_url)
    worker = DetectorWorker(bus, store, engine, settings.resolved_group(), settings.poll_records,
                            idle_flush_seconds=settings.idle_flush_seconds,
                            rule_state_path=settings.resolved_rule_state_file(),
                            whole_stream=settings.scope != "entity")  # all and global count across users
    server = health_server(settings.host, settings.health_port,
                           lambda: {**worker.stats(), "scope": settings.scope, "group": worker.group})
    threading.Thread(target=server.serve_forever, name="detectors-health", daemon=True).start()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    worker.start()
    log.info("detectors: scope %s, group %s, %d detectors, bus %s, health on %s:%d", settings.scope,
             worker.group, len(engine.detectors), settings.bus_url.split("@")[-1], settings.host,
             server.server_address[1])
    try:
        stop.wait()
    finally:
        worker.stop()
        server.shutdown()
        server.server_close()
        store.close()
        bus.close()
    return 0
