"""Event-time bucket counters per key: totals, bare (no visitor signals) and failed requests.

A key rolls over when an event lands in a later bucket; the caller then evaluates the window of
completed buckets. Keys are bounded: stale ones are swept, and the oldest are dropped at a cap.
"""

from __future__ import annotations

from dataclasses import dataclass

BUCKET_SECONDS = 10.0
WINDOW_BUCKETS = 3  # rates are judged over the last 30 s of completed buckets: sustained, yet fast
MAX_CLIENTS = 64  # distinct clients counted per key; beyond it a key is plainly many people
EVIDENCE_IDS = 20  # newest event ids kept per busy key
EVIDENCE_FROM = 10  # keys start keeping ids once a bucket has this many requests


@dataclass(slots=True)
class WindowStats:
    """The completed-bucket window of one key at a rollover."""

    total: int
    bare: int
    failed: int
    clients: int
    seconds: float
    top_ip: int  # sum over buckets of the busiest single IP's requests: the share one source made

    @property
    def rate(self) -> float:
        return self.total / self.seconds

    @property
    def bare_ratio(self) -> float:
        return self.bare / self.total if self.total else 0.0

    @property
    def fail_ratio(self) -> float:
        return self.failed / self.total if self.total else 0.0

    def dominated(self, share: float) -> bool:
        """True when one source IP made at least `share` of the window (its own alert covers it)."""
        return self.top_ip >= share * self.total


class KeyState:
    """Counters of one key (an IP, a network, a path or the service)."""

    __slots__ = ("alerted_at", "bare", "bucket", "clients", "failed", "history", "ids", "top", "total")

    def __init__(self, bucket: int) -> None:
        self.bucket = bucket
        self.total = self.bare = self.failed = self.top = 0
        # Allocated on first use: most keys (one-off IPs) never need them, and allocation is the cost.
        self.history: list[tuple[int, int, int, int, int]] | None = None
        self.clients: dict[str, int] | None = None
        self.ids: list[str] | None = None
        self.alerted_at = -1.0e18

    def add(self, bare: bool, failed: bool, event_id: str, client: str | None, ip_count: int = 0) -> None:
        """Count one request; `ip_count` is its source IP's requests in this bucket so far."""
        self.total += 1
        self.top = max(self.top, ip_count)
        self.bare += bare
        self.failed += failed
        if self.total >= EVIDENCE_FROM:
            if self.ids is None:
                self.ids = []
            self.ids.append(event_id)
            if len(self.ids) > 2 * EVIDENCE_IDS:
                del self.ids[:EVIDENCE_IDS]
        if client is not None:
            clients = self.clients
            if clients is None:
                clients = self.clients = {}
            if client in clients or len(clients) < MAX_CLIENTS:
                clients[client] = self.bucket

    def roll(self, bucket: int) -> None:
        """Close the current bucket and start `bucket` (a later one)."""
        if self.history is None:
            self.history = []
        self.history.append((self.bucket, self.total, self.bare, self.failed, self.top))
        if len(self.history) > WINDOW_BUCKETS:
            del self.history[0]
        self.bucket = bucket
        self.total = self.bare = self.failed = self.top = 0
        oldest = bucket - WINDOW_BUCKETS
        if self.clients is not None and len(self.clients) >= MAX_CLIENTS // 2:
            self.clients = {c: b for c, b in self.clients.items() if b >= oldest}

    def window(self, current: bool = False) -> WindowStats:
        """Sums over the completed buckets still inside the window (plus the open one if `current`)."""
        oldest = self.bucket - WINDOW_BUCKETS
        total = bare = failed = top = 0
        if current:
            total, bare, failed, top = self.total, self.bare, self.failed, self.top
        for bucket, t, b, f, m in self.history or ():
            if bucket >= oldest:
                total += t
                bare += b
                failed += f
                top += m
        clients = sum(1 for b in self.clients.values() if b >= oldest) if self.clients else 0
        return WindowStats(total, bare, failed, max(clients, 1), WINDOW_BUCKETS * BUCKET_SECONDS,
                           min(top, total))

    def evidence(self) -> list[str]:
        return self.ids[-EVIDENCE_IDS:] if self.ids else []


class KeyTable:
    """Bounded map of key -> KeyState; `touch` returns the state and whether it just rolled over."""

    def __init__(self, max_keys: int) -> None:
        self.max_keys = max_keys
        self.keys: dict[str, KeyState] = {}

    def touch(self, key: str, bucket: int) -> tuple[KeyState, bool]:
        state = self.keys.get(key)
        if state is None:
            state = self.keys[key] = KeyState(bucket)
            if len(self.keys) > self.max_keys:
                del self.keys[next(iter(self.keys))]  # the oldest-created key goes first
            return state, False
        if bucket > state.bucket:
            state.roll(bucket)
            return state, True
        return state, False

    def sweep(self, bucket: int) -> None:
        """Forget keys with no request inside the window (bounded memory under IP churn)."""
        oldest = bucket - WINDOW_BUCKETS - 1
        stale = [k for k, s in self.keys.items() if s.bucket < oldest]
        for key in stale:
            del self.keys[key]
