"""Event-time bucket counters per key: requests, and how many lacked each sign of a real visitor.

A key rolls over when an event lands in a later bucket; the caller then evaluates the window of
completed buckets (or, at checkpoints, the open one too). Keys are bounded: stale ones are swept,
and the oldest are dropped at a cap.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter

BUCKET_SECONDS = 10.0
WINDOW_BUCKETS = 3  # rates are judged over the last 30 s of completed buckets: sustained, yet fast
MAX_CLIENTS = 64  # distinct clients counted per key; beyond it a key is plainly many people
PRUNE_CLIENTS = MAX_CLIENTS // 2  # clients remembered when a bucket closes, before pruning
EVIDENCE_IDS = 20  # newest event ids kept per busy key
EVIDENCE_FROM = 10  # keys start keeping ids once a bucket has this many requests

# Counter slots, in this order, in KeyState.counts and in WindowStats.counts.
# LOGIN counts refused login attempts (a login form's POST that failed): not a sign of a visitor, it
# tells a flood from password guessing, which the account-takeover family reports (judge.py).
TOTAL, NO_SESSION, NO_REFERRER, ASSET, NEW_DEVICE, FAILED, LOGIN, TOP_IP, TOP_PATH = range(9)

LANE_BITS = 40  # per summed counter: a bucket (or window) never holds 2**40 requests
LANE_MASK = (1 << LANE_BITS) - 1
# A closed bucket is (bucket, total, packed, top_ip, top_path); this one is older than any window.
_NEVER = (float(-(1 << 62)), 0, 0, 0, 0)
# The bucket of a state no longer in its table (swept or evicted): every bucket is later, so a
# holder of the state (an IP's network, a route's path) takes the slow path and looks it up again.
DETACHED = float("-inf")


@dataclass(slots=True)
class WindowStats:
    """Sums over the window of one key."""

    counts: list[int]
    clients: int
    seconds: float

    @property
    def total(self) -> int:
        return self.counts[TOTAL]

    @property
    def rate(self) -> float:
        return self.counts[TOTAL] / self.seconds

    def ratio(self, slot: int) -> float:
        return min(self.counts[slot] / self.counts[TOTAL], 1.0) if self.counts[TOTAL] else 0.0

    def flood_score(self, page_key: bool = False) -> float:
        """0..1: how much the traffic lacks what real visitors bring (not how fast it is).

        Sessions or device cookies weigh most; then referrers, asset fetches (a browser loading a
        page fetches its CSS, JS and images), new devices, and one path taking the whole load. A
        path key holds only its own requests, so asset and path-mix terms do not apply there.
        """
        score = 0.35 * self.ratio(NO_SESSION) + 0.15 * self.ratio(NO_REFERRER) + 0.15 * self.ratio(NEW_DEVICE)
        if page_key:
            return score / 0.65
        no_assets = 1.0 - min(self.ratio(ASSET) / 0.25, 1.0)  # browsers fetch >= 1 asset per 3 pages
        return score + 0.15 * no_assets + 0.2 * self.ratio(TOP_PATH)

    def dominated(self, share: float) -> bool:
        """True when one source IP made at least `share` of the window (its own alert covers it)."""
        return self.counts[TOP_IP] >= share * self.counts[TOTAL]


class KeyState:
    """Counters of one key (an IP, a network, a path or the service).

    The summed counters (TOTAL..LOGIN) of a bucket share one integer, LANE_BITS per counter, so a
    request is counted with one addition of its precomputed `increment` (the hot path); window sums
    add those integers and split the lanes once. TOP_IP and TOP_PATH are maxima, kept apart. The
    last WINDOW_BUCKETS closed buckets are kept newest first in `closed`, and `recent` sums their
    totals: a bound that tells most keys (one visitor's IP) are nowhere near a threshold with one
    comparison. `key` names the key; `network`, `net` (an IP's network and its state, or SOLO) and `login`,
    `limit` (paths) are the caller's.
    """

    __slots__ = ("alerted_at", "bucket", "clients", "closed", "ids", "key", "limit", "login", "net", "network",
                 "packed", "recent", "requests", "slow_requests", "slow_since", "top_ip", "top_path")
    net: KeyState  # IP states only: set by detector._new_ip, never defaulted (see __init__)

    def __init__(self, bucket: float, key: str = "") -> None:
        self.key = key
        self.bucket = bucket
        self.packed = 0
        self.requests = 0  # the open bucket's TOTAL lane again, as a small int: no big-int masking per request
        self.top_ip = 0
        self.top_path = 0
        self.closed = (_NEVER, _NEVER, _NEVER)
        self.recent = 0
        # Allocated on first use: most keys (one-off IPs) never need them, and allocation is the cost.
        self.clients: dict[str, float] | None = None
        self.ids: deque[str] | None = None
        self.alerted_at = -1.0e18
        self.slow_since = -1.0  # start of a streak of slow-flood buckets (judge._check_sustained)
        self.slow_requests = 0
        self.network = ""
        # `net` is set for IP states only (detector._new_ip); no default pointing at the state
        # itself: a cycle would keep every dropped state alive until a full garbage collection.
        self.login = False
        self.limit = 0.0

    @property
    def total(self) -> int:
        """Requests in the open bucket."""
        return self.requests

    @property
    def counts(self) -> list[int]:
        """The open bucket's counters, by slot."""
        return _counters(self.packed, self.top_ip, self.top_path)

    def add(self, signs: tuple[int, int, int, int, int], event_id: str, client: str | None = None,
            ip_count: int = 0, path_count: int = 0) -> None:
        """Count one request: `signs` are its NO_SESSION..FAILED flags; the busiest-source counts."""
        self.count(increment(signs), event_id, ip_count, path_count)
        if client is not None:
            self.see_client(client)

    def count(self, step: int, event_id: str, ip_count: int, path_count: int) -> None:
        """Count one request whose signs give `step` (see `increment`)."""
        self.packed += step
        self.requests = requests = self.requests + 1
        if ip_count > self.top_ip:  # noqa: PLR1730 - a compare is cheaper than max() per request
            self.top_ip = ip_count
        if path_count > self.top_path:  # noqa: PLR1730
            self.top_path = path_count
        if requests >= EVIDENCE_FROM:
            self.keep(event_id)

    def keep(self, event_id: str) -> None:
        """Remember an event id as evidence (the newest EVIDENCE_IDS)."""
        (self.ids or self.evidence_ids()).append(event_id)

    def evidence_ids(self) -> deque[str]:
        """The evidence ids, started on first use (most keys never need them)."""
        if self.ids is None:
            self.ids = deque(maxlen=EVIDENCE_IDS)
        return self.ids

    def see_client(self, client: str) -> None:
        """Remember a distinct client of this key in the open bucket (bounded)."""
        clients = self.clients
        if clients is None:
            clients = self.clients = {}
        if client in clients or len(clients) < MAX_CLIENTS:
            clients[client] = self.bucket

    def roll(self, bucket: float) -> int:
        """Close the open bucket and start `bucket` (a later one); returns `recent`, the bound."""
        total = self.requests
        closed = self.closed
        self.closed = ((self.bucket, total, self.packed, self.top_ip, self.top_path), closed[0], closed[1])
        self.recent = recent = self.recent + total - closed[2][1]
        self.bucket = bucket
        self.packed = self.requests = self.top_ip = self.top_path = 0
        clients = self.clients
        if clients is not None and len(clients) >= PRUNE_CLIENTS:
            self.prune_clients()
        return recent

    def prune_clients(self) -> None:
        """Forget clients last seen before the window (they count for nothing, yet fill the cap)."""
        oldest = self.bucket - WINDOW_BUCKETS
        self.clients = {c: b for c, b in (self.clients or {}).items() if b >= oldest}

    def recent_total(self, current: bool = False) -> int:
        """Requests in the window (plus the open bucket if `current`): the cheap part of `window`."""
        oldest = self.bucket - WINDOW_BUCKETS
        total = self.requests if current else 0
        for bucket, count, _, _, _ in self.closed:
            if bucket >= oldest:
                total += count
        return total

    def window(self, current: bool = False) -> WindowStats:
        """Sums over the completed buckets still inside the window (plus the open one if `current`)."""
        oldest = self.bucket - WINDOW_BUCKETS
        packed, top_ip, top_path = (self.packed, self.top_ip, self.top_path) if current else (0, 0, 0)
        for bucket, _, p, ip, path in self.closed:
            if bucket >= oldest:
                packed, top_ip, top_path = packed + p, top_ip + ip, top_path + path
        clients = sum(1 for b in self.clients.values() if b >= oldest) if self.clients else 0
        return WindowStats(_counters(packed, top_ip, top_path), max(clients, 1), WINDOW_BUCKETS * BUCKET_SECONDS)

    def evidence(self) -> list[str]:
        return list(self.ids) if self.ids else []


def increment(signs: tuple[int, ...]) -> int:
    """The packed step of one request: one more TOTAL, one more in each of NO_SESSION..FAILED it shows."""
    return 1 + sum(1 << (LANE_BITS * slot) for slot, sign in zip(range(NO_SESSION, FAILED + 1), signs,
                                                                   strict=True) if sign)


def _counters(packed: int, top_ip: int, top_path: int) -> list[int]:
    """Split packed sums back into the slot list (TOTAL..LOGIN, then TOP_IP, TOP_PATH)."""
    return [(packed >> (LANE_BITS * slot)) & LANE_MASK for slot in range(LOGIN + 1)] + [top_ip, top_path]


UNRESOLVED = KeyState(DETACHED)
# An IP's `net` while the IP is the only address its network sent from (networks.py): it never
# rolls over, so the hot path sees at once that there is no network state to count.
SOLO = KeyState(float("inf"))
_BUCKET_OF = attrgetter("bucket")  # an IP's network state before it is looked up


class KeyTable:
    """Bounded map of key -> KeyState; `touch` returns the state and whether it just rolled over."""

    def __init__(self, max_keys: int) -> None:
        self.max_keys = max_keys
        self.keys: dict[str, KeyState] = {}

    def touch(self, key: str, bucket: float) -> tuple[KeyState, bool]:
        state = self.keys.get(key)
        if state is None:
            return self.add(KeyState(bucket, key)), False
        if bucket > state.bucket:
            state.roll(bucket)
            return state, True
        return state, False

    def add(self, state: KeyState) -> KeyState:
        """Hold a new key's state; over the cap, the oldest-created key goes first."""
        keys = self.keys
        keys[state.key] = state
        if len(keys) > self.max_keys:
            keys.pop(next(iter(keys))).bucket = DETACHED
        return state

    def sweep(self, bucket: float) -> None:
        """Forget keys with no request inside the window (bounded memory under IP churn)."""
        oldest = float(bucket - WINDOW_BUCKETS - 1)  # float.__gt__ compares with ints and floats
        keys = self.keys
        # In C (map, compress) rather than a comprehension: the tables hold every recent visitor.
        for key in list(compress(keys, map(oldest.__gt__, map(_BUCKET_OF, keys.values())))):
            keys.pop(key).bucket = DETACHED
