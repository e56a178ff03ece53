"""Several partitions merged into one event-time order, with the offsets that are safe to commit.

A consumer holding several partitions receives them one after another (a fetch drains one
partition before the next), so after a backlog one partition's events can run minutes ahead of
another's. Detectors whose windows span entities (the global scope) want the service's events
interleaved by time. Each partition's messages stay in offset order (one entity's events keep
their order); the merge releases the earliest head among the partitions while every partition
that still has unread messages has something queued, and releases anyway once the earliest item
has waited `max_wait` seconds or the queue is full, so a stalled partition never stops the rest.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any


class PartitionMerge:
    """Items queued per partition; `release` gives them in timestamp order; `offsets` what to commit."""

    def __init__(self, max_items: int = 50_000, max_wait: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_items = max_items
        self.max_wait = max_wait
        self._clock = clock
        # partition -> (timestamp, offset, arrival time, item), in offset order
        self._queues: dict[int, deque[tuple[float, int, float, Any]]] = {}
        self._unreleased: dict[int, dict[int, int]] = {}  # partition -> offset -> items still queued
        self._next: dict[int, int] = {}  # partition -> the offset after the last message added
        self.size = 0

    def add(self, partition: int, offset: int, items: Iterable[tuple[float, Any]]) -> None:
        """Queue the (timestamp, item) pairs of one message; a message with none is done at once."""
        queue = self._queues.setdefault(partition, deque())
        now = self._clock()
        count = 0
        for ts, item in items:
            queue.append((ts, offset, now, item))
            count += 1
        if count:
            self._unreleased.setdefault(partition, {})[offset] = count
            self.size += count
        self._next[partition] = max(self._next.get(partition, 0), offset + 1)

    def release(self, behind: set[int]) -> list[Any]:
        """Items in timestamp order while each partition in `behind` (more to read) has one queued."""
        out: list[Any] = []
        overdue = self._overdue()
        heads = [(q[0][0], p) for p, q in self._queues.items() if q]
        heapq.heapify(heads)
        starved = any(not self._queues.get(p) for p in behind)
        while heads:
            if starved and not overdue and self.size <= self.max_items:
                break  # an unread partition may hold earlier events: wait for its next fetch
            _, partition = heapq.heappop(heads)
            queue = self._queues[partition]
            _, offset, _, item = queue.popleft()
            self._done(partition, offset)
            out.append(item)
            if queue:
                heapq.heappush(heads, (queue[0][0], partition))
            elif partition in behind:
                starved = True
        return out

    def _overdue(self) -> bool:
        """Whether the longest-waiting item has waited `max_wait` (a stalled partition: go on)."""
        arrivals = [q[0][2] for q in self._queues.values() if q]
        return bool(arrivals) and self._clock() - min(arrivals) >= self.max_wait

    def _done(self, partition: int, offset: int) -> None:
        left = self._unreleased[partition]
        left[offset] -= 1
        if not left[offset]:
            del left[offset]
        self.size -= 1

    def offsets(self) -> dict[int, int]:
        """Per partition, the offset to commit: the oldest message with queued items, else the next."""
        return {p: min(self._unreleased[p]) if self._unreleased.get(p) else n for p, n in self._next.items()}

    def keep(self, partitions: set[int]) -> None:
        """Forget partitions no longer held (after a rebalance their new owner reads them again)."""
        for partition in [p for p in self._next if p not in partitions]:
            self.size -= len(self._queues.pop(partition, ()))
            self._unreleased.pop(partition, None)
            del self._next[partition]
