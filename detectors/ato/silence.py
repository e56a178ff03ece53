"""Accounts whose password failed and that then stayed silent: the trace a sprayer leaves.

Members who mistype retry or log in within seconds; a sprayer tries a real account once and moves
on. Both the service-wide count (stuck.py) and the per-client count (oneclient.py) need the same
bookkeeping: a failure waits `grace` seconds; a login in the meantime cancels it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

MAX_PENDING = 200_000  # accounts waiting at once; beyond it new failures are not tracked (bounded memory)


class SilentFailures:
    """Failed accounts waiting out their grace period, in failure order."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.pending: dict[str, list[Any]] = {}  # account -> [failure ts, record, tries]
        self.queue: deque[tuple[float, str]] = deque()

    def logged_in(self, account: str) -> None:
        self.pending.pop(account, None)

    def retried(self, account: str) -> bool:
        """Whether the account is already waiting (its try count goes up): a person, not a spray."""
        entry = self.pending.get(account)
        if entry is None:
            return False
        entry[2] += 1
        return True

    def add(self, account: str, ts: float, record: Any) -> None:
        if len(self.pending) < MAX_PENDING:
            self.pending[account] = [ts, record, 1]
            self.queue.append((ts, account))

    def due(self, now: float) -> bool:
        return bool(self.queue) and now - self.queue[0][0] > self.grace

    def matured(self, now: float) -> Iterator[tuple[float, Any, int]]:
        """(failure ts, record, tries) of accounts silent for the whole grace period, oldest first."""
        while self.queue and now - self.queue[0][0] > self.grace:
            ts, account = self.queue.popleft()
            entry = self.pending.get(account)
            if entry is None or entry[0] != ts:
                continue  # it logged in meanwhile
            del self.pending[account]
            yield ts, entry[1], entry[2]
