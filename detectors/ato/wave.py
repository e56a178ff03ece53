"""One sliding window of failed logins with running breadth counts and a baseline-fitted bar."""

from __future__ import annotations

from collections import Counter, deque
from typing import NamedTuple

from core.event import Event
from detectors.anomaly.alerts import network_of
from detectors.anomaly.batch import percentile
from detectors.anomaly.state import SlidingWindow

BASELINE_FACTOR = 4.0  # the bar: 4x the worst benign window seen in the baseline
BUCKETS = 30           # successes are counted in span/30 buckets: one deque entry each, not one per login
# Breadth (users, addresses, networks) is counted from the window only once it is over its bar, and
# then again only after the window grew by 1/RESCAN: no per-failure bookkeeping in quiet times, and
# a scan of a big attack window amortized over the failures that led to it.
RESCAN = 20


class Attempt(NamedTuple):
    """One failed login as the waves count it (a tuple: built once per failure, shared by both)."""

    event_id: str
    user: str
    ip: str
    unknown: bool

    @classmethod
    def of(cls, event: Event) -> Attempt:
        flat = event.flat
        # tuple.__new__ skips the generated Python __new__, and user_key is inlined: this runs for
        # every failed login.
        user = flat.get("user.id") or flat.get("user.name")
        return tuple.__new__(cls, (flat["event.id"], str(user)[:256] if user else "", str(flat.get("source.ip", "")),
                                   flat.get("mlm.auth.failure_reason") == "unknown_user"))


class Wave:
    """Failures of the last `span` seconds: how many, for how many users, from how many places."""

    def __init__(self, span: float, min_failures: int, min_users: int, min_ips: int) -> None:
        self.span = span
        self.min_failures, self.min_users, self.min_ips = min_failures, min_users, min_ips
        self.failures: SlidingWindow[Attempt] = SlidingWindow(span, 50_000)
        self.users: Counter[str] = Counter()  # breadth of `failures` as of the last scan (see RESCAN)
        self.ips: Counter[str] = Counter()
        self.nets: Counter[str] = Counter()
        self.unknown = 0  # kept in step with `failures`
        self._unscanned = 0  # failures added since the last breadth scan
        self.armed = True  # disarmed by an alert; re-armed a window later, once cooled below half its bar
        self.disarmed_at = 0.0
        self.bar = float(min_failures)
        self.unknown_bar = float(min_failures)
        self._step = span / BUCKETS
        self._wins: deque[list[int]] = deque()  # [bucket, successes]
        self._win_total = 0
        self._base: list[list[float]] = [[], []]  # per baseline bucket: failures, unknown
        self._bucket: list[int] | None = None     # [bucket, failures, unknown]

    def add(self, ts: float, attempt: Attempt) -> None:
        # Inlined (no helper calls, no list of dropped items): this runs twice per failed login.
        self.unknown += attempt.unknown
        self._unscanned += 1
        window = self.failures
        items = window.items
        items.append((ts, attempt))
        while ts - items[0][0] > window.span or len(items) > window.cap:
            self.unknown -= items.popleft()[1].unknown
        if not self.armed and len(items) < self.bar / 2 and ts - self.disarmed_at > self.span:
            self.armed = True  # that wave is over: the next one is news

    def disarm(self, ts: float) -> None:
        self.armed, self.disarmed_at = False, ts

    def success(self, ts: float) -> None:
        bucket = int(ts // self._step)
        if self._wins and self._wins[-1][0] == bucket:
            self._wins[-1][1] += 1
        else:
            self._wins.append([bucket, 1])
            self._expire_wins(bucket)
        self._win_total += 1

    def _expire_wins(self, bucket: int) -> None:
        while self._wins and bucket - self._wins[0][0] > BUCKETS:
            self._win_total -= self._wins.popleft()[1]

    def fail_share(self) -> float:
        fails = len(self.failures)
        return fails / (fails + self._win_total) if fails else 0.0

    def hot(self) -> bool:
        """An armed window holding a broad failing wave: over the bar, spread over users, addresses and networks, and not
        a busy hour (a flash sale is mostly successes and real usernames)."""
        fails = len(self.failures)
        if not self.armed or (fails < self.bar and self.unknown < self.unknown_bar):
            return False
        if self._unscanned < max(1, fails // RESCAN):
            return False
        self._scan()
        if len(self.users) < self.min_users or len(self.ips) < self.min_ips or len(self.nets) < self.min_ips:
            return False
        if max(self.nets.values()) > fails / 2:
            return False  # one network rotating addresses is spraying's (or the per-IP rule's) case
        if self.failures.items:
            self._expire_wins(int(self.failures.items[-1][0] // self._step))
        return self.unknown / fails >= 0.3 or self.fail_share() >= 0.3

    def _scan(self) -> None:
        """Count the window's users, addresses and networks afresh."""
        self._unscanned = 0
        attempts = [a for _, a in self.failures.items]
        self.users = Counter(a.user for a in attempts)
        self.ips = Counter(a.ip for a in attempts)
        self.nets = Counter(network_of(a.ip) or a.ip for a in attempts)  # cached per address

    # Baseline: the worst fixed window of benign failures (and of unknown-user failures).
    def observe(self, ts: float, unknown: bool) -> None:
        bucket = int(ts // self.span)
        if self._bucket is not None and self._bucket[0] != bucket:
            self._close()
        if self._bucket is None:
            self._bucket = [bucket, 0, 0]
        self._bucket[1] += 1
        self._bucket[2] += int(unknown)

    def _close(self) -> None:
        if self._bucket is not None:
            self._base[0].append(float(self._bucket[1]))
            self._base[1].append(float(self._bucket[2]))
            self._bucket = None

    def fit(self) -> None:
        self._close()
        self.set_bars(BASELINE_FACTOR * percentile(self._base[0], 99.5, 0.0),
                      BASELINE_FACTOR * percentile(self._base[1], 99.5, 0.0))
        self._base = [[], []]

    def set_bars(self, bar: object, unknown_bar: object) -> None:
        """Bars never fall below the window's floor, whatever a model file says."""
        self.bar = max(float(self.min_failures), _number(bar))
        self.unknown_bar = max(float(self.min_failures), _number(unknown_bar))


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
