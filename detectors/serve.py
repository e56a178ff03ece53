"""`mlm-siem serve-detectors`: one detector worker of the distributed deployment, with `/health`.

Scale out by running several with the same `MLM_SIEM_DETECTORS_GROUP` on a Kafka bus: events are
keyed by entity, so every event of one entity reaches the same worker and its windows stay whole.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from core.bus import open_bus
from core.store import open_store
from detectors.engine import Engine
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
            self._send(200 if body.get("running") else 503, {"status": "ok" if body.get("running") else "down", **body})

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
    engine = Engine.build(settings.detector_config())
    store = open_store(settings.resolved_store_url())
    bus = open_bus(settings.bus_url)
    worker = DetectorWorker(bus, store, engine, settings.group, settings.poll_records,
                            idle_flush_seconds=settings.idle_flush_seconds,
                            rule_state_path=Path(settings.data_dir) / "rule_state.json")
    server = health_server(settings.host, settings.health_port, worker.stats)
    threading.Thread(target=server.serve_forever, name="detectors-health", daemon=True).start()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    worker.start()
    log.info("detectors: %d detectors, bus %s, health on %s:%d", len(engine.detectors),
             settings.bus_url.split("@")[-1], settings.host, server.server_address[1])
    try:
        stop.wait()
    finally:
        worker.stop()
        server.shutdown()
        server.server_close()
        store.close()
        bus.close()
    return 0
