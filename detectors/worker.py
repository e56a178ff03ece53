"""The live detector: consume `siem.events`, run the engine, store and publish alerts, then commit.

Commit comes after the alerts are durable in the store and published, so a crash re-delivers the
batch rather than losing its alerts (alert ids are deterministic, so the store deduplicates them).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

from core.alert import Alert
from core.bus import ALERTS_TOPIC, EVENTS_TOPIC, Bus, Message
from core.bus.order import PartitionMerge
from core.event import Event, EventError
from core.store import EventStore
from detectors.engine import Engine

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0
RULE_STATE_CHECK_SECONDS = 5.0
PARTITION_CHECK_SECONDS = 30.0  # the topic's partition count changes only when an operator adds some


class DetectorWorker:
    """One member of a detector consumer group running the engine in a background thread."""

    def __init__(self, bus: Bus, store: EventStore, engine: Engine, group: str = "detectors",
                 poll_records: int = 500, poll_timeout: float = 0.5, idle_flush_seconds: float = 2.0,
                 rule_state_path: Path | None = None, topic: str = EVENTS_TOPIC,
                 whole_stream: bool = False) -> None:
        self.bus = bus
        self.store = store
        self.engine = engine
        self.group = group
        self.topic = topic
        self.poll_records = poll_records
        self.poll_timeout = poll_timeout
        self.idle_flush_seconds = idle_flush_seconds
        self.bad_events = 0
        # The dashboard publishes disabled rule ids here (data_dir/rule_state.json); their alerts are dropped.
        self.rule_state = RuleStateFile(rule_state_path) if rule_state_path else None
        self.alerts_written = 0
        self.batches = 0
        self._lock = threading.Lock()  # the engine is single-threaded; stats() reads it from others
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumer: Any = None
        self._producer: Any = None
        self._pending_flush = False
        self._last_activity = time.monotonic()
        # A global-scope member must hold every partition; holding part means a second member joined.
        self.whole_stream = whole_stream
        self._held: set[int] = set()
        self._all: set[int] = set()
        self._all_checked = float("-inf")
        # Partitions arrive one after another; cross-entity windows want them interleaved by time.
        self._merge = PartitionMerge()

    def start(self) -> None:
        """Start consuming in a daemon thread."""
        if self._thread is not None:
            return
        self._consumer = self.bus.consumer(self.topic, self.group)
        self._producer = self.bus.producer()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="detector-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current batch; pending buffered alerts are flushed and written first."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        for part in (self._consumer, self._producer):
            if part is not None:
                part.close()
        self._consumer = self._producer = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # keep consuming: a failure is logged and the batch retried
                log.exception("detector worker batch failed; retrying")
                self._stop.wait(RETRY_SECONDS)
        if self._pending_flush:
            self._deliver(self._flush())

    def run_once(self) -> int:
        """Poll one batch, detect in event-time order, deliver alerts, commit what was handled.
        Returns the number of messages polled."""
        messages = self._consumer.poll(self.poll_records, self.poll_timeout)
        self._track_partitions()
        for message in messages:
            self._merge.add(message.partition, message.offset, ((e.ts, e) for e in self._parse(message)))
        self._merge.keep(self._held)
        events = self._merge.release(self._consumer.behind()) if self._merge.size else []
        if events:
            with self._lock:
                alerts = [a for e in events for a in self.engine.process(e)]
            self._deliver(alerts)
            self.batches += 1
            self._pending_flush = True
            self._last_activity = time.monotonic()
        elif not messages and self._pending_flush and \
                time.monotonic() - self._last_activity >= self.idle_flush_seconds:
            self._deliver(self._flush())
        if messages or events:
            self._consumer.commit(self._merge.offsets())
        return len(messages)

    def _track_partitions(self) -> None:
        """Note which partitions this member holds (read here: the Kafka client is not thread-safe)."""
        held = self._consumer.assignment()
        now = time.monotonic()
        if now - self._all_checked >= PARTITION_CHECK_SECONDS or (held and not self._all):
            self._all, self._all_checked = self._consumer.partitions(), now
        if held != self._held:
            self._held = held
            if self.whole_stream and self.partial():
                log.error("this member must see the whole stream but holds %d of %d partitions of %s: another "
                          "member joined group %s; run exactly one", len(held), len(self._all), self.topic, self.group)

    def partial(self) -> bool:
        """Whether this member holds some but not all partitions (empty: the group is still forming)."""
        return bool(self._held) and bool(self._all - self._held)

    def _parse(self, message: Message) -> list[Event]:
        """The message's events; bad lines are counted and logged (bounded), never fatal."""
        events: list[Event] = []
        for number, line in enumerate(message.value.splitlines(), 1):
            if not line.strip():
                continue
            try:
                event = Event.from_json(line, lazy_doc=True)  # detectors read .flat; .doc is rebuilt on demand
            except (EventError, ValueError, TypeError, RecursionError, OverflowError) as exc:
                self.bad_events += 1
                log.warning("bad event at %s/%d@%d line %d: %s", message.topic, message.partition,
                            message.offset, number, str(exc)[:200])
                continue
            events.append(event)
        return events

    def _flush(self) -> list[Alert]:
        self._pending_flush = False
        with self._lock:
            return self.engine.flush()

    def _deliver(self, alerts: list[Alert]) -> None:
        """Store then publish; retried until it works or the worker stops (commit waits for it)."""
        if self.rule_state is not None:
            disabled = self.rule_state.disabled()
            alerts = [a for a in alerts if a.rule_id not in disabled]
        if not alerts:
            return
        while True:
            try:
                self.store.write_alerts(alerts)
                self._producer.publish(ALERTS_TOPIC, [a.to_json() for a in alerts],
                                       [a.entity_value.encode() for a in alerts])
                self.alerts_written += len(alerts)
                return
            except Exception:
                log.exception("could not deliver %d alerts; retrying", len(alerts))
                if self._stop.wait(RETRY_SECONDS):
                    raise

    def stats(self) -> dict[str, Any]:
        """Engine counters plus the worker's own, safe to call from another thread."""
        with self._lock:
            stats = self.engine.stats()
        stats.update(bad_events=self.bad_events, alerts_written=self.alerts_written, batches=self.batches,
                     running=self._thread is not None and self._thread.is_alive(),
                     partitions={"held": sorted(self._held), "total": len(self._all)},
                     whole_stream_lost=self.whole_stream and self.partial())
        return stats


class RuleStateFile:
    """Disabled rule ids from the dashboard's rule_state.json, re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime: float | None = None
        self._checked = float("-inf")
        self._disabled: frozenset[str] = frozenset()

    def disabled(self) -> frozenset[str]:
        now = time.monotonic()
        if now - self._checked < RULE_STATE_CHECK_SECONDS:
            return self._disabled
        self._checked = now
        try:
            mtime = self.path.stat().st_mtime
            if mtime != self._mtime:
                doc = json.loads(self.path.read_text(encoding="utf-8"))
                self._disabled = frozenset(str(r) for r in doc.get("disabled", []))
                self._mtime = mtime
        except FileNotFoundError:
            self._disabled, self._mtime = frozenset(), None
        except (OSError, ValueError, AttributeError, TypeError):
            log.warning("unreadable rule state file %s; keeping the previous state", self.path)
        return self._disabled
