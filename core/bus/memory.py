"""In-process bus for the embedded deployment: one bounded log per topic, offsets per group."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence

from core.bus.base import BusFull, Message


class _TopicLog:
    """An append-only log trimmed below the lowest committed offset of all groups."""

    def __init__(self, name: str, capacity: int) -> None:
        self.name = name
        self.capacity = capacity
        self.base = 0  # offset of entries[0]
        self.entries: deque[tuple[bytes | None, bytes]] = deque()
        self.committed: dict[str, int] = {}
        self.cond = threading.Condition()

    @property
    def end(self) -> int:
        return self.base + len(self.entries)

    def trim(self) -> None:
        if not self.committed:
            return
        low = min(self.committed.values())
        while self.entries and self.base < low:
            self.entries.popleft()
            self.base += 1


class MemoryBus:
    """Bounded topics in memory. `publish` blocks up to `put_timeout` when a topic is full."""

    def __init__(self, capacity: int = 200_000, put_timeout: float = 5.0) -> None:
        self.capacity = capacity
        self.put_timeout = put_timeout
        self._topics: dict[str, _TopicLog] = {}
        self._lock = threading.Lock()

    def topic(self, name: str) -> _TopicLog:
        with self._lock:
            log = self._topics.get(name)
            if log is None:
                log = self._topics[name] = _TopicLog(name, self.capacity)
            return log

    def producer(self) -> MemoryProducer:
        return MemoryProducer(self)

    def consumer(self, topic: str, group: str) -> MemoryConsumer:
        return MemoryConsumer(self.topic(topic), group)

    def lag(self, topic: str, group: str) -> int:
        """Messages published but not yet committed by `group`."""
        log = self.topic(topic)
        with log.cond:
            return log.end - log.committed.get(group, log.base)

    def close(self) -> None:
        pass


class MemoryProducer:
    def __init__(self, bus: MemoryBus) -> None:
        self._bus = bus

    def publish(self, topic: str, values: Sequence[bytes], keys: Sequence[bytes | None] | None = None) -> None:
        log = self._bus.topic(topic)
        keys = keys if keys is not None else [None] * len(values)
        deadline = time.monotonic() + self._bus.put_timeout
        with log.cond:
            while len(log.entries) + len(values) > log.capacity:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BusFull(f"topic {topic} is full ({log.capacity} messages)")
                log.cond.wait(remaining)
            log.entries.extend(zip(keys, values))
            log.cond.notify_all()

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class MemoryConsumer:
    def __init__(self, log: _TopicLog, group: str) -> None:
        self._log = log
        self._group = group
        with log.cond:
            self._position = log.committed.setdefault(group, log.base)

    def poll(self, max_records: int = 500, timeout: float = 1.0) -> list[Message]:
        log = self._log
        with log.cond:
            if self._position >= log.end and timeout > 0:
                log.cond.wait_for(lambda: self._position < log.end, timeout)
            start = max(self._position, log.base)
            stop = min(log.end, start + max_records)
            out = [
                Message(log.name, 0, offset, *log.entries[offset - log.base])
                for offset in range(start, stop)
            ]
            self._position = stop
            return out

    def commit(self, offsets: dict[int, int] | None = None) -> None:
        log = self._log
        with log.cond:
            position = self._position if offsets is None else min(offsets.get(0, self._position), self._position)
            log.committed[self._group] = max(position, log.committed.get(self._group, log.base))
            log.trim()
            log.cond.notify_all()

    def assignment(self) -> set[int]:
        return {0}  # one partition, and every consumer of a group reads all of it

    def behind(self) -> set[int]:
        with self._log.cond:
            return {0} if self._position < self._log.end else set()

    def partitions(self) -> set[int]:
        return {0}

    def close(self) -> None:
        pass
