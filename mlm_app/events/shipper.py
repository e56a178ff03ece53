"""Ship events off the request path: bounded queue -> background thread -> batches -> transport.

Requests only `submit` (a non-blocking put); overflow and failed batches go to the disk buffer,
which is drained oldest-first once the transport works again. Backoff doubles up to 30 s.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path
from typing import Any

import orjson

from mlm_app.events.diskbuffer import DiskBuffer
from mlm_app.events.transports import DeliveryError, Transport

log = logging.getLogger(__name__)
MAX_BACKOFF = 30.0


class Shipper:
    """Deliver submitted events in batches; never blocks or raises into the caller."""

    def __init__(self, transport: Transport, buffer_dir: Path, *, batch: int = 200, flush_seconds: float = 1.0,
                 queue_size: int = 10_000, buffer_bytes: int = 64 * 1024 * 1024) -> None:
        self.transport = transport
        self.buffer = DiskBuffer(buffer_dir, buffer_bytes)
        self.batch, self.flush_seconds = batch, flush_seconds
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=queue_size)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._backoff = 0.0
        self._retry_at = 0.0
        self.sent = 0

    def submit(self, event: dict[str, Any]) -> None:
        """Queue one event; when the queue is full the event goes to disk instead of being lost."""
        line = orjson.dumps(event)
        try:
            self._queue.put_nowait(line)
        except queue.Full:
            self.buffer.append([line])

    def queued(self) -> int:
        """Events waiting in memory (approximate: other threads may be adding or taking)."""
        return self._queue.qsize()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mlm-shipper", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Flush what is queued (to the transport, or to disk if it is down) and stop."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._spill_queue()
        self.transport.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            lines = self._collect()
            if lines:
                self._deliver(lines)
            elif time.monotonic() >= self._retry_at:
                self._drain()
        lines = self._collect(wait=False)
        if lines:
            self._deliver(lines, final=True)

    def _collect(self, wait: bool = True) -> list[bytes]:
        """Up to `batch` events, waiting at most `flush_seconds` for the batch to fill."""
        lines: list[bytes] = []
        deadline = time.monotonic() + (self.flush_seconds if wait else 0)
        while len(lines) < self.batch:
            remaining = deadline - time.monotonic()
            try:
                lines.append(self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait())
            except queue.Empty:
                break
        return lines

    def _deliver(self, lines: list[bytes], final: bool = False) -> None:
        """Send a batch, keeping order: while older batches wait on disk, new ones queue behind them.

        At shutdown (`final`) one attempt is made when nothing is waiting; else the batch is kept."""
        if time.monotonic() < self._retry_at or self.buffer.pending_batches():
            self.buffer.append(lines)
            if not final:
                self._drain()
            return
        if self._send(lines):
            return
        self.buffer.append(lines)

    def _drain(self, max_batches: int = 50) -> None:
        """Send buffered batches oldest first until one fails (or a bounded number went out)."""
        for _ in range(max_batches):
            if time.monotonic() < self._retry_at or self._stop.is_set():
                return
            oldest = self.buffer.oldest()
            if oldest is None or not self._send(oldest[1]):
                return
            self.buffer.remove(oldest[0])

    def _send(self, lines: list[bytes]) -> bool:
        try:
            self.transport.send(lines)
        except DeliveryError as exc:
            self._backoff = min(MAX_BACKOFF, max(0.5, self._backoff * 2))
            self._retry_at = time.monotonic() + self._backoff
            log.warning("event delivery failed (%s); retrying in %.1fs", exc, self._backoff)
            return False
        except Exception:  # a transport bug must not kill the shipping thread
            log.exception("event transport crashed; batch kept on disk")
            self._retry_at = time.monotonic() + MAX_BACKOFF
            return False
        self._backoff, self._retry_at = 0.0, 0.0
        self.sent += len(lines)
        return True

    def _spill_queue(self) -> None:
        lines = self._collect(wait=False)
        while lines:
            self.buffer.append(lines)
            lines = self._collect(wait=False)


def build_shipper(settings: Any) -> Shipper | None:
    """The shipper the settings ask for (None when shipping is off)."""
    from mlm_app.events.transports import HttpTransport, KafkaTransport

    mode = settings.shipper
    if mode == "auto":
        mode = "http" if settings.ingest_token else "off"
    if mode == "off":
        return None
    transport: Transport
    if mode == "kafka":
        transport = KafkaTransport(settings.kafka_bootstrap, settings.kafka_topic)
    else:
        transport = HttpTransport(settings.collector_url, settings.ingest_token)
    return Shipper(transport, Path(settings.data_dir) / "event-buffer", batch=settings.shipper_batch,
                   flush_seconds=settings.shipper_flush_seconds, queue_size=settings.shipper_queue,
                   buffer_bytes=settings.shipper_buffer_bytes)
