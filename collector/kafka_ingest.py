"""Kafka ingest: raw events from a Kafka topic into the store and onto `siem.events`.

For each poll: every NDJSON line of every message runs the collector's record stages (decode,
normalize, validate, enrich, encode: collector/stages.py); bad lines go to a dead-letter topic
with the reason and where they came from; good events already delivered within the dedupe
window are dropped (a shipper's retry), the rest are stored, published keyed by entity, and
remembered. Only then are the offsets committed: a crash anywhere before that redelivers the
messages, and the store (idempotent by id) and the dedupe index make the replay harmless.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from collector import stages
from collector.dedupe import DedupeIndex
from collector.enrich import Clock, ingested_stamp, utc_now
from collector.publish import group_messages
from core.bus import EVENTS_TOPIC, Bus, Consumer, Message, Producer
from core.event import DEFAULT_LIMITS, EventError, Limits
from core.store import EventStore

log = logging.getLogger(__name__)
# A dead letter keeps up to 256 KiB of the offending line (marked when cut): even base64-encoded
# it stays under the 1 MB message limit a Kafka topic has by default, so it can always be sent.
_MAX_DEAD_RAW = 262_144


class KafkaIngestSettings(BaseSettings):
    """Kafka ingest settings, `MLM_SIEM_COLLECTOR_KAFKA_*`; ingest runs when `bootstrap` is set."""

    model_config = SettingsConfigDict(env_prefix="MLM_SIEM_COLLECTOR_KAFKA_", extra="ignore")

    bootstrap: str | None = None
    raw_topic: str = "mlm.raw"
    group: str = "mlm-siem-collector"
    dead_letter_topic: str = "mlm.raw.dead-letter"
    poll_records: int = Field(2000, ge=1)
    dedupe_window_seconds: int = Field(3600, ge=1)


@dataclass(slots=True)
class IngestStats:
    messages: int = 0
    accepted: int = 0
    dead_lettered: int = 0
    stored: int = 0
    duplicates: int = 0
    published: int = 0
    errors: list[str] = field(default_factory=list)


class KafkaIngest:
    """One consumer-group member: poll → process → store → publish → remember → commit."""

    def __init__(self, consumer: Consumer, producer: Producer, store: EventStore, dedupe: DedupeIndex, *,
                 dead_letter_topic: str, limits: Limits = DEFAULT_LIMITS, clock: Clock = utc_now,
                 poll_records: int = 2000, retry_delay: float = 0.5) -> None:
        self.consumer, self.producer, self.store, self.dedupe = consumer, producer, store, dedupe
        self.dead_letter_topic = dead_letter_topic
        self.limits = limits
        self.clock = clock
        self.poll_records = poll_records
        self.retry_delay = retry_delay
        self.stats = IngestStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_bus(cls, bus: Bus, store: EventStore, settings: KafkaIngestSettings, work_dir: Path,
                 **kwargs: Any) -> KafkaIngest:
        """Wire a member to the raw topic of `bus` (a KafkaBus in the distributed deployment)."""
        dedupe = DedupeIndex(work_dir / "kafka-dedupe.db", settings.dedupe_window_seconds)
        return cls(bus.consumer(settings.raw_topic, settings.group), bus.producer(), store, dedupe,
                   dead_letter_topic=settings.dead_letter_topic, poll_records=settings.poll_records, **kwargs)

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="kafka-ingest", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the batch in hand (its offsets commit only if it was delivered), then close."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.consumer.close()
        self.producer.close()
        self.dedupe.close()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # a bug must not kill ingest silently: log, back off, go on
                log.exception("kafka ingest step failed: %s", type(exc).__name__)
                self._stop.wait(self.retry_delay)

    def health(self) -> dict[str, Any]:
        alive = self._thread is not None and self._thread.is_alive()
        return {"status": "ok" if alive else "stopped", "messages": self.stats.messages,
                "accepted": self.stats.accepted, "dead_lettered": self.stats.dead_lettered,
                "stored": self.stats.stored, "published": self.stats.published}

    # -- one step -----------------------------------------------------------------------------

    def run_once(self, timeout: float = 1.0) -> int:
        """Poll once and deliver everything polled; returns the number of messages handled."""
        messages = self.consumer.poll(max_records=self.poll_records, timeout=timeout)
        if not messages:
            return 0
        accepted, dead = self.process(messages)
        if not (self._until_done("dead-letter", lambda: self._dead_letter(dead))
                and self._until_done("deliver", lambda: self._deliver(accepted))):
            return 0  # stopping with undelivered work: the offsets stay for the next member
        self.consumer.commit()
        self.stats.messages += len(messages)
        return len(messages)

    def process(self, messages: list[Message]) -> tuple[list[stages.Accepted], list[bytes]]:
        """Record stages over every line; returns accepted events and dead-letter envelopes."""
        ctx = stages.BatchContext(self.limits, ingested_stamp(self.clock))
        accepted: list[stages.Accepted] = []
        dead: list[bytes] = []
        for message in messages:
            for number, line in enumerate(message.value.split(b"\n"), start=1):
                if not line.strip():
                    continue
                try:
                    record: Any = line
                    for func in (stages.decode, stages.normalize_record, stages.validate,
                                 stages.enrich_event, stages.encode):
                        record = func(record, ctx)
                except EventError as exc:
                    dead.append(_envelope(message, number, line, str(exc)))
                except Exception as exc:  # a crashing stage dead-letters one line, never the stream
                    log.exception("record stage crashed: %s", type(exc).__name__)
                    dead.append(_envelope(message, number, line, "could not be processed"))
                else:
                    accepted.append(record)
        self.stats.accepted += len(accepted)
        return accepted, dead

    def _until_done(self, what: str, step: Callable[[], None]) -> bool:
        """Retry a delivery step with back-off until it succeeds (True) or ingest stops (False)."""
        delay = self.retry_delay
        while True:
            try:
                step()
                return True
            except Exception as exc:  # noqa: BLE001 - any failure: not durable yet, so retry
                log.warning("%s failed (%s); retrying in %.1f s", what, type(exc).__name__, delay)
                if self._stop.wait(delay):
                    return False
                delay = min(delay * 2, 10.0)

    def _dead_letter(self, dead: list[bytes]) -> None:
        if dead:
            self.producer.publish(self.dead_letter_topic, dead)
            self.stats.dead_lettered += len(dead)

    def _deliver(self, accepted: list[stages.Accepted]) -> None:
        """Dedupe, store, publish, remember: each step safe to repeat after a failure."""
        seen = self.dedupe.seen([a.event.id for a in accepted])
        fresh, ids = [], set(seen)
        for item in accepted:
            if item.event.id not in ids:
                ids.add(item.event.id)
                fresh.append(item)
        self.stats.duplicates += len(accepted) - len(fresh)
        if not fresh:
            return
        result = self.store.write_events([a.event for a in fresh])
        for event_id, reason in result.rejected:
            # Still published: a field the store cannot index must not hide an attack from detection.
            log.warning("store refused event %s: %s", event_id[:80], reason[:200])
        keys, values = group_messages(fresh)
        self.producer.publish(EVENTS_TOPIC, values, keys)
        self.dedupe.remember([a.event.id for a in fresh])
        self.stats.stored += result.stored
        self.stats.published += len(fresh)


def start_from_env(store: EventStore, work_dir: Path,
                   settings: KafkaIngestSettings | None = None) -> KafkaIngest | None:
    """Start Kafka ingest when `MLM_SIEM_COLLECTOR_KAFKA_BOOTSTRAP` is set; None otherwise.

    `mlm-siem serve-collector` calls this next to its HTTP ingest; `stop()` the result at exit.
    """
    from core.bus.kafka import KafkaBus

    settings = settings or KafkaIngestSettings()
    if not settings.bootstrap:
        return None
    bus = KafkaBus(settings.bootstrap)
    bus.ensure_topics([settings.raw_topic, settings.dead_letter_topic, EVENTS_TOPIC])
    ingest = KafkaIngest.from_bus(bus, store, settings, work_dir)
    ingest.start()
    log.info("kafka ingest: topic %s, group %s", settings.raw_topic, settings.group)
    return ingest


def _envelope(message: Message, line_number: int, line: bytes, reason: str) -> bytes:
    """A dead letter: the reason, where the line came from, and the line itself, losslessly."""
    raw = line[:_MAX_DEAD_RAW]
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(raw).decode(), "base64"
    return orjson.dumps({
        "reason": reason[:1000],
        "source": {"topic": message.topic, "partition": message.partition, "offset": message.offset,
                   "line": line_number},
        "raw": text, "raw_encoding": encoding, "raw_truncated": len(line) > _MAX_DEAD_RAW,
    })
