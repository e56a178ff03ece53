"""Per-address login throttle: password spraying across many analyst accounts from one address is
refused even though no single account reaches its lockout."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=10)
MAX_FAILURES = 20  # a team behind one NAT mistyping passwords stays far below this in ten minutes
MAX_ADDRESSES = 10_000  # bound memory under a distributed attack: oldest addresses are forgotten


class LoginThrottle:
    """Failed logins per client address in a sliding window (in memory, one dashboard process)."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def blocked(self, ip: str, now: datetime) -> bool:
        with self._lock:
            times = self._failures.get(ip)
            if not times:
                return False
            while times and now - times[0] > WINDOW:
                times.popleft()
            return len(times) >= MAX_FAILURES

    def failed(self, ip: str, now: datetime) -> None:
        with self._lock:
            if ip not in self._failures and len(self._failures) >= MAX_ADDRESSES:
                self._failures.pop(next(iter(self._failures)))
            self._failures.setdefault(ip, deque(maxlen=MAX_FAILURES * 2)).append(now)
