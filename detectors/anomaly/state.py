"""Bounded, event-time state: keyed maps with caps and expiry, suppression windows, sliding windows."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedMap(Generic[K, V]):
    """A map that forgets least-recently-touched keys beyond `cap` and keys idle for `ttl` seconds.

    Time is event time, passed in by the caller, so replays and live runs behave the same.
    """

    def __init__(self, cap: int, ttl: float) -> None:
        self.cap = cap
        self.ttl = ttl
        self._data: OrderedDict[K, tuple[float, V]] = OrderedDict()
        # Expired keys are swept from the cold end at most this often (`get` checks the ttl itself,
        # so the sweep only frees memory): one sweep per put cost more than the rest of a put.
        self._sweep_every = min(60.0, ttl / 100)
        self._sweep_at = float("-inf")

    def get(self, key: K, now: float) -> V | None:
        """The live value for `key` (touching it), or None when absent or expired."""
        item = self._data.get(key)
        if item is None:
            return None
        if now - item[0] > self.ttl:
            del self._data[key]
            return None
        self._data[key] = (max(now, item[0]), item[1])
        self._data.move_to_end(key)
        return item[1]

    def get_lazily(self, key: K, now: float, slack: float) -> V | None:
        """Like `get`, but touching the key at most once per `slack` seconds (slack < ttl): the hot
        path of keys seen on every event is then one dict lookup; expiry stays within `slack`."""
        item = self._data.get(key)
        if item is None:
            return None
        if now - item[0] > slack:
            return self.get(key, now)
        return item[1]

    def setdefault(self, key: K, now: float, factory: Callable[[], V], slack: float = 0.0) -> V:
        """The live value for `key`, creating it with `factory` when absent or expired (touching it
        at most once per `slack` seconds, see `get_lazily`)."""
        value = self.get_lazily(key, now, slack) if slack else self.get(key, now)
        if value is None:
            value = factory()
            self.put(key, now, value)
        return value

    def put(self, key: K, now: float, value: V) -> None:
        self._data[key] = (now, value)
        self._data.move_to_end(key)
        self._evict(now)

    def pop(self, key: K) -> V | None:
        item = self._data.pop(key, None)
        return None if item is None else item[1]

    def _evict(self, now: float) -> None:
        while len(self._data) > self.cap:
            self._data.popitem(last=False)
        if now < self._sweep_at:
            return
        self._sweep_at = now + self._sweep_every
        # Expire from the cold end only: the oldest-touched keys come first.
        while self._data:
            key, (seen, _) = next(iter(self._data.items()))
            if now - seen <= self.ttl:
                break
            del self._data[key]

    def items(self) -> Iterator[tuple[K, V]]:
        for key, (_, value) in self._data.items():
            yield key, value

    def entries(self) -> Iterator[tuple[K, float, V]]:
        """(key, last touched, value), coldest first: what a saved model needs to restore order."""
        for key, (seen, value) in self._data.items():
            yield key, seen, value

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data


class Suppressor:
    """One alert per key per window: an ongoing attack gives one alert, not one per event."""

    def __init__(self, window: float, cap: int = 100_000) -> None:
        self.window = window
        self._last: BoundedMap[Hashable, float] = BoundedMap(cap, window)

    def allow(self, key: Hashable, now: float) -> bool:
        """True (and start the window) unless `key` already alerted within the window."""
        last = self._last.get(key, now)
        if last is not None and now - last < self.window:
            return False
        self._last.put(key, now, now)
        return True


class SlidingWindow(Generic[V]):
    """Items of the last `span` seconds of event time, at most `cap` of them (oldest dropped first).

    `add` and `expire` return what fell out, so callers can keep running counts in step.
    """

    def __init__(self, span: float, cap: int) -> None:
        self.span = span
        self.cap = cap
        self.items: deque[tuple[float, V]] = deque()

    def add(self, ts: float, item: V) -> list[V]:
        self.items.append((ts, item))
        dropped = self.expire(ts)
        while len(self.items) > self.cap:
            dropped.append(self.items.popleft()[1])
        return dropped

    def expire(self, now: float) -> list[V]:
        dropped: list[V] = []
        while self.items and now - self.items[0][0] > self.span:
            dropped.append(self.items.popleft()[1])
        return dropped

    def values(self) -> list[V]:
        return [item for _, item in self.items]

    def __len__(self) -> int:
        return len(self.items)
