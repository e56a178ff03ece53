"""A real HTTP endpoint standing in for the collector's POST /v1/events (stdlib server, own thread)."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from builders import free_port


class CollectorStub:
    """Accepts NDJSON batches (gzip or not) with one bearer token; can be switched down (503)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.events: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.up = True
        self.port = free_port()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                if not stub.up:
                    return self._answer(503, {"detail": "down"})
                if self.path != "/v1/events" or self.headers.get("authorization") != f"Bearer {stub.token}":
                    return self._answer(401, {"detail": "bad token"})
                lines = [json.loads(line) for line in body.splitlines() if line.strip()]
                stub.raw.append(body)
                stub.events.extend(lines)
                self._answer(200, {"accepted": len(lines), "rejected": []})

            def _answer(self, status: int, doc: dict[str, Any]) -> None:
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
