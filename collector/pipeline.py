"""The collector pipeline, declared in one ordered list of stages (see `Pipeline.declare`).

Three phases: "record" stages run per record in the caller's thread (HTTP request, Kafka poll),
and a bad record is rejected with a reason without touching the others; the "accept" stage spools
the good ones durably (only then is the batch accepted); "drain" stages run on batches in one
background thread: dedupe, store, publish, remember, checkpoint. A failing drain stage is retried
with back-off; the spool keeps the batch meanwhile, so nothing accepted is lost.

Transports only feed `Pipeline.ingest(numbered_records)`; a test can feed it a list of dicts and
call `drain_pending()` to run the drain stages synchronously.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from collector import stages
from collector.batch import Batch, IngestResult, Overloaded, Rejection, Stage, Stats
from collector.dedupe import DedupeIndex
from collector.enrich import Clock, ingested_stamp, utc_now, warm_up
from collector.publish import group_messages
from collector.quarantine import Quarantine, log_crash, loggable
from collector.settings import CollectorSettings
from collector.spool import Position, Spool
from core.bus import EVENTS_TOPIC, Bus, BusFull
from core.event import Event, EventError
from core.store import EventStore

log = logging.getLogger(__name__)


class Pipeline:
    """Owns the spool, the dedupe index and the drainer thread; uses the store and bus it is given."""

    def __init__(self, settings: CollectorSettings, store: EventStore, bus: Bus, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.limits = settings.limits()
        self.stats = Stats()
        self._store = store
        self._producer = bus.producer()
        self._clock = clock
        work = settings.work_dir()
        self.spool = Spool(settings.resolved_spool_dir(), settings.spool_segment_bytes)
        self.dedupe = DedupeIndex(work / "dedupe.db", settings.dedupe_window_seconds, lambda: clock().timestamp())
        self.quarantine = Quarantine(work / "quarantine.ndjson")
        self._queue: queue.Queue[Batch] = queue.Queue()
        self._accept_lock = threading.Lock()
        self._stopping = threading.Event()
        self._abandon = threading.Event()
        self._bus_blocked = False
        self._thread: threading.Thread | None = None
        self.stages = self.declare()
        self._record_stages = [s.func for s in self.stages if s.phase == "record"]
        self._drain_stages = [s for s in self.stages if s.phase == "drain"]

    def declare(self) -> list[Stage]:
        """The whole pipeline, in order."""
        return [
            Stage("decode", "record", stages.decode),
            Stage("normalize", "record", stages.normalize_record),
            Stage("validate", "record", stages.validate),
            Stage("redact", "record", stages.redact),
            Stage("enrich", "record", stages.enrich_event),
            Stage("encode", "record", stages.encode),
            Stage("spool", "accept", self._spool_batch),  # fsync'd: from here on the batch is accepted
            Stage("dedupe", "drain", self._drop_seen),
            Stage("store", "drain", self._write_store),
            Stage("publish", "drain", self._publish),
            Stage("remember", "drain", self._remember),
            Stage("checkpoint", "drain", self._checkpoint),
        ]

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the drainer: it replays what the spool held from before, then drains new batches."""
        if self._thread is not None:
            return
        warm_up()
        if self.spool.backlog_bytes:
            log.info("replaying %d bytes the spool holds from before", self.spool.backlog_bytes)
        self._thread = threading.Thread(target=self._run, name="collector-drainer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Drain what is queued (up to `timeout`), then close; anything left stays in the spool."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self._abandon.set()
                self._thread.join(5)
        self._producer.close()
        self.spool.close()
        self.dedupe.close()

    # -- ingest (caller's thread) -------------------------------------------------------------

    def overload_reason(self) -> str | None:
        """Why ingest should back off right now, or None."""
        if self._bus_blocked:
            return "the event bus is full"
        if self.spool.backlog_bytes > self.settings.spool_high_water_bytes:
            return "the spool backlog is over its high-water mark"
        return None

    def ingest(self, records: Iterable[tuple[int, Any]]) -> IngestResult:
        """Run the record stages over numbered records and durably accept the good ones."""
        reason = self.overload_reason()
        if reason:
            raise Overloaded(reason)
        accepted, rejected = self.process(records)
        if accepted:
            for stage in self.stages:
                if stage.phase == "accept":
                    stage.func(accepted)
        return IngestResult(len(accepted), rejected)

    def process(self, records: Iterable[tuple[int, Any]]) -> tuple[list[stages.Accepted], list[Rejection]]:
        """Only the record stages: (line number, raw line or decoded object) -> accepted, rejected."""
        ctx = stages.BatchContext(self.limits, ingested_stamp(self._clock))
        accepted: list[stages.Accepted] = []
        rejected: list[Rejection] = []
        for number, record in records:
            try:
                for func in self._record_stages:
                    record = func(record, ctx)
            except stages.TooLarge as exc:
                rejected.append(Rejection(number, str(exc), too_large=True))
            except EventError as exc:
                rejected.append(Rejection(number, str(exc)))
            except Exception as exc:  # noqa: BLE001 -- a crashing stage rejects one record, never the stream
                log_crash(log, f"record stage crashed on line {number}", exc)
                rejected.append(Rejection(number, "could not be processed"))
            else:
                accepted.append(record)
        return accepted, rejected

    def _spool_batch(self, accepted: list[stages.Accepted]) -> None:
        payload = b"\n".join(a.line for a in accepted)
        with self._accept_lock:  # spool order and queue order must agree for checkpoints
            position, nbytes = self.spool.append(payload)
            self._queue.put(Batch(accepted, position, nbytes))
            self.stats.accepted += len(accepted)

    # -- drain (background thread) ------------------------------------------------------------

    def drain_pending(self) -> int:
        """Synchronously drain everything queued (tests, or a stopped drainer); returns batches."""
        count = 0
        while (batch := self._next_batch(timeout=0)) is not None:
            if not self._drain(batch):
                break
            count += 1
        return count

    def health(self) -> dict[str, Any]:
        """Status and backlog for /health (unauthenticated, so no counts of what was ingested)."""
        alive = self._thread is not None and self._thread.is_alive()
        status = "ok" if alive else "stopped"
        if alive and self.overload_reason():
            status = "busy"
        return {
            "status": status,
            "spool_backlog_bytes": self.spool.backlog_bytes,
            "queued_batches": self._queue.qsize(),
        }

    def _run(self) -> None:
        try:
            for batch in self._replay():
                if self._abandon.is_set() or not self._drain(batch):
                    return
            while not self._abandon.is_set():
                live = self._next_batch(timeout=0.1)
                if live is None:
                    if self._stopping.is_set():
                        return
                    continue
                if not self._drain(live):
                    return  # gave up while stopping: later batches must not be checkpointed past it
        except Exception as exc:  # noqa: BLE001 -- logged; the spool keeps the batches
            log_crash(log, "collector drainer stopped; the spool keeps undelivered batches", exc)

    def _drain(self, batch: Batch) -> bool:
        for stage in self._drain_stages:
            if not self._retrying(stage, batch):
                return False
        return True

    def _retrying(self, stage: Stage, batch: Batch) -> bool:
        delay = 0.05
        while True:
            try:
                stage.func(batch)
                return True
            except Exception as exc:  # noqa: BLE001 -- any fault: back off and retry
                if self._stopping.is_set() or self._abandon.is_set():
                    log.warning("stage %s failed while stopping (%s); the spool keeps the batch",
                                stage.name, type(exc).__name__)
                    return False
                log.warning("stage %s failed (%s: %s); retrying in %.2f s",
                            stage.name, type(exc).__name__, loggable(str(exc), 200), delay)
                self._stopping.wait(delay)
                delay = min(delay * 2, 5.0)

    def _next_batch(self, timeout: float) -> Batch | None:
        """The next queued batch merged with whatever else is queued, up to the drain batch size."""
        try:
            first = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return None
        batch = Batch(list(first.items), first.position, first.nbytes)
        while len(batch.items) < self.settings.drain_batch_events:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            batch.items.extend(more.items)
            batch.position, batch.nbytes = more.position, batch.nbytes + more.nbytes
        return batch

    def _replay(self) -> Iterator[Batch]:
        """Batches the spool held from before this start (accepted, never checkpointed)."""
        items: list[stages.Accepted] = []
        nbytes = 0
        position: Position | None = None
        for position, size, payload in self.spool.pending():
            nbytes += size
            for line in payload.split(b"\n"):
                try:
                    event = Event.from_json(line, self.limits)
                    items.append(stages.Accepted(event, event.seal()))
                except EventError as exc:
                    self.quarantine.add(line, f"replay: {exc}")
            if len(items) >= self.settings.drain_batch_events:
                yield Batch(items, position, nbytes)
                items, nbytes = [], 0
        if position is not None and (items or nbytes):
            yield Batch(items, position, nbytes)

    # -- drain stages -------------------------------------------------------------------------

    def _drop_seen(self, batch: Batch) -> None:
        ids = [a.event.flat["event.id"] for a in batch.items]
        seen = self.dedupe.seen(ids)
        kept = []
        for item, event_id in zip(batch.items, ids):
            if event_id not in seen:
                seen.add(event_id)
                kept.append(item)
        self.stats.duplicates += len(batch.items) - len(kept)
        batch.items = kept

    def _write_store(self, batch: Batch) -> None:
        if not batch.items:
            return
        result = self._store.write_events([a.event for a in batch.items])
        self.stats.stored += result.stored
        for event_id, reason in result.rejected:
            line = next((a.line for a in batch.items if a.event.id == event_id), b"")
            self.quarantine.add(line, f"store refused {event_id[:100]}: {reason}")

    def _publish(self, batch: Batch) -> None:
        if not batch.items:
            return
        keys, values = group_messages(batch.items)
        try:
            self._producer.publish(EVENTS_TOPIC, values, keys)
        except BusFull:
            self._bus_blocked = True
            raise
        self._bus_blocked = False
        self.stats.published += len(batch.items)

    def _remember(self, batch: Batch) -> None:
        if batch.items:
            self.dedupe.remember([a.event.flat["event.id"] for a in batch.items])

    def _checkpoint(self, batch: Batch) -> None:
        self.spool.checkpoint(batch.position, batch.nbytes)

