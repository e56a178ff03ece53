"""Kafka backend of the bus (distributed deployment), with kafka-python.

Producers are keyed (every event of one entity goes to one partition, so a detector's stateful
windows see all of that entity's events in order) and wait for `acks=all`. Consumers join a
group, never auto-commit, and commit only when the caller says the work is durable: an
uncommitted message is delivered again, to this member or, after a rebalance, to another.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import CommitFailedError, KafkaError, KafkaTimeoutError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from core.bus.base import ALERTS_TOPIC, EVENTS_TOPIC, BusError, BusFull, Message

log = logging.getLogger(__name__)

# FACTS.md: a broker may answer one fetch with more than the client's frame limit, and
# kafka-python then silently receives nothing. 256 MiB is far above any fetch we ask for.
RECEIVE_MESSAGE_MAX_BYTES = 256 * 1024 * 1024
MAX_MESSAGE_BYTES = 8 * 1024 * 1024  # one message holds a batch of NDJSON events


class KafkaBus:
    """Topics on a Kafka cluster. `bootstrap` is `host:port[,host:port]`."""

    def __init__(self, bootstrap: str, *, partitions: int = 6, replication: int = 1,
                 client_id: str = "mlm-siem", publish_timeout: float = 30.0, **client_options: Any) -> None:
        self.bootstrap = [b.strip() for b in bootstrap.split(",") if b.strip()]
        if not self.bootstrap:
            raise ValueError("no Kafka bootstrap servers given")
        self.partitions = partitions
        self.replication = replication
        self.client_id = client_id
        self.publish_timeout = publish_timeout
        self.client_options = client_options  # e.g. security_protocol, sasl_* for a secured cluster
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def ensure_topics(self, topics: Sequence[str] = (EVENTS_TOPIC, ALERTS_TOPIC)) -> None:
        """Create missing topics with `partitions` partitions; existing ones are left as they are."""
        missing = [t for t in topics if t not in self._known]
        if not missing:
            return
        with self._lock:
            admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id=self.client_id,
                                     **self.client_options)
            try:
                existing = set(admin.list_topics())
                wanted = {t: {"num_partitions": self.partitions, "replication_factor": self.replication,
                              "configs": {"max.message.bytes": str(MAX_MESSAGE_BYTES)}}
                          for t in missing if t not in existing}
                if wanted:
                    try:
                        admin.create_topics(wanted, wait_for_metadata=True)
                    except TopicAlreadyExistsError:
                        pass  # created by another process meanwhile
            finally:
                admin.close()
            self._known.update(missing)

    def producer(self) -> KafkaBusProducer:
        return KafkaBusProducer(self)

    def consumer(self, topic: str, group: str) -> KafkaBusConsumer:
        self.ensure_topics([topic])
        return KafkaBusConsumer(self, topic, group)

    def lag(self, topic: str, group: str) -> int:
        """Messages in `topic` not yet committed by `group`."""
        probe = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=group, enable_auto_commit=False,
                              client_id=self.client_id, **self.client_options)
        try:
            parts = [TopicPartition(topic, p) for p in sorted(probe.partitions_for_topic(topic) or ())]
            ends = probe.end_offsets(parts)
            return sum(ends[tp] - (probe.committed(tp) or 0) for tp in parts)
        finally:
            probe.close(autocommit=False)

    def close(self) -> None:
        pass


class KafkaBusProducer:
    """Publishes keyed messages; `publish` returns once every message is acknowledged by all replicas."""

    def __init__(self, bus: KafkaBus) -> None:
        self._bus = bus
        self._producer = KafkaProducer(
            bootstrap_servers=bus.bootstrap, client_id=bus.client_id, acks="all", linger_ms=5,
            max_request_size=MAX_MESSAGE_BYTES, max_block_ms=int(bus.publish_timeout * 1000),
            **bus.client_options)

    def publish(self, topic: str, values: Sequence[bytes], keys: Sequence[bytes | None] | None = None) -> None:
        if keys is not None and len(keys) != len(values):
            raise ValueError("keys and values differ in length")
        self._bus.ensure_topics([topic])
        keys = keys if keys is not None else [None] * len(values)
        try:
            futures = [self._producer.send(topic, value=v, key=k) for k, v in zip(keys, values)]
            for future in futures:
                future.get(timeout=self._bus.publish_timeout)
        except KafkaTimeoutError as exc:
            raise BusFull(f"Kafka did not acknowledge within {self._bus.publish_timeout:.0f}s") from exc
        except KafkaError as exc:
            raise BusError(f"Kafka refused a message: {type(exc).__name__}") from exc

    def flush(self) -> None:
        self._producer.flush(timeout=self._bus.publish_timeout)

    def close(self) -> None:
        self._producer.close(timeout=self._bus.publish_timeout)


class KafkaBusConsumer:
    """One member of a consumer group on one topic; commits only when told to."""

    def __init__(self, bus: KafkaBus, topic: str, group: str) -> None:
        self.topic = topic
        self.group = group
        self._consumer = KafkaConsumer(
            topic, bootstrap_servers=bus.bootstrap, client_id=bus.client_id, group_id=group,
            enable_auto_commit=False, auto_offset_reset="earliest",
            receive_message_max_bytes=RECEIVE_MESSAGE_MAX_BYTES, max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
            **bus.client_options)

    def poll(self, max_records: int = 500, timeout: float = 1.0) -> list[Message]:
        """Up to `max_records` messages, in offset order within each partition."""
        batches = self._consumer.poll(timeout_ms=int(timeout * 1000), max_records=max_records)
        out: list[Message] = []
        for tp in sorted(batches, key=lambda tp: tp.partition):
            out += [Message(r.topic, r.partition, r.offset, r.key, r.value) for r in batches[tp]]
        return out

    def commit(self, offsets: dict[int, int] | None = None) -> None:
        """Commit the positions after everything polled (or `offsets`, per partition held). A commit
        lost to a rebalance is logged: those messages go to another member again, and every consumer
        dedupes by id."""
        try:
            if offsets is None:
                self._consumer.commit()
                return
            held = self._consumer.assignment()
            chosen = {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in
                      ((TopicPartition(self.topic, p), o) for p, o in offsets.items()) if tp in held}
            if chosen:
                self._consumer.commit(chosen)
        except CommitFailedError:
            log.warning("commit lost to a group rebalance (group %s); messages will be redelivered", self.group)

    def assignment(self) -> set[int]:
        """Partitions this member holds right now."""
        return {tp.partition for tp in self._consumer.assignment()}

    def behind(self) -> set[int]:
        """Held partitions with messages not yet returned by poll (unknown until their first fetch)."""
        out = set()
        for tp in self._consumer.assignment():
            end = self._consumer.highwater(tp)
            if end is None or self._consumer.position(tp) < end:
                out.add(tp.partition)
        return out

    def partitions(self) -> set[int]:
        """Every partition of the topic, from the cluster metadata the client holds."""
        return set(self._consumer.partitions_for_topic(self.topic) or ())

    def close(self) -> None:
        self._consumer.close(autocommit=False)
