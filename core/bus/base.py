"""The bus interface: topics of byte messages, keyed by entity, consumed by groups with commits.

Backends: `core.bus.memory` (embedded, in-process) and `core.bus.kafka` (distributed). A message value holds one
or more NDJSON lines, so producers may batch events where throughput matters. Consumers commit
after the work a message caused is durable; an uncommitted message is delivered again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

EVENTS_TOPIC = "siem.events"
ALERTS_TOPIC = "siem.alerts"


class BusError(RuntimeError):
    """The bus refused a message for good (e.g. too large); retrying the same message will not help."""


class BusFull(RuntimeError):
    """The bus could not take a message in time (back-pressure: callers answer 429 or retry)."""


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes


class Producer(Protocol):
    def publish(self, topic: str, values: Sequence[bytes], keys: Sequence[bytes | None] | None = None) -> None:
        """Send messages; returns once the bus holds them (Kafka: acknowledged by the broker)."""
        ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class Consumer(Protocol):
    def poll(self, max_records: int = 500, timeout: float = 1.0) -> list[Message]:
        """Up to `max_records` messages after the group's position; [] after `timeout` seconds."""
        ...

    def commit(self, offsets: dict[int, int] | None = None) -> None:
        """Mark everything returned by poll so far as done for this group; with `offsets`, only
        the messages before each partition's offset (those after it are delivered again)."""
        ...

    def behind(self) -> set[int]:
        """Held partitions with messages that poll has not returned yet."""
        ...

    def assignment(self) -> set[int]:
        """Partitions this member holds right now (empty while the group is still forming)."""
        ...

    def partitions(self) -> set[int]:
        """Every partition of the topic: a member that must see the whole stream holds them all."""
        ...

    def close(self) -> None: ...


class Bus(Protocol):
    def producer(self) -> Producer: ...

    def consumer(self, topic: str, group: str) -> Consumer: ...

    def close(self) -> None: ...
