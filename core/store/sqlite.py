"""SQLite backend of the store (embedded deployment): WAL, indexed columns, FTS5, JSON documents."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

import orjson

from core.alert import Alert
from core.event import Event, format_timestamp, parse_timestamp
from core.schema import FIELDS
from core.store.base import MAX_INTERVAL_SECONDS, EventQuery, Page, WriteResult
from core.store.sqlite_sql import (
    EVENT_COLUMNS,
    FTS_DELETE,
    fts_hits_at_least,
    ip_in_network,
    json_path,
    migrate,
    where,
)
from core.store.text import parse_text

_CHUNK = 500  # ids per `IN (...)` lookup: well under SQLite's bound-parameter limit
_DELETE_BATCH = 10_000  # rows per retention transaction, so readers are never blocked long
RETENTION_CHECK_SECONDS = 3600.0  # how often writes trigger the retention sweep
CACHE_KIB = 32 * 1024
# 16 KiB pages: a batch commit writes a quarter as many WAL frames as with 4 KiB pages, and the
# commit was a third of the store's CPU (measured, 100k events in batches of 5,000: 21-25 ->
# 17-18 us per event; 32 KiB gains nothing more). Only new files take it.
PAGE_SIZE = 16_384
WAL_CHECKPOINT_BYTES = 32 * 1_048_576
_INSERT_EVENT = ("INSERT INTO events(seq, id, ts, dataset, action, user_id, user_name, source_ip, doc) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_EVENT_FTS = ("INSERT INTO events_fts(rowid, url_path, url_query, body, user_agent, user_name) "
                     "VALUES (?, ?, ?, ?, ?, ?)")
# With this many free-text matches, reading rows in time order and probing them beats sorting
# the matches (measured on 100k events: 12 ms against 89 ms when all match; 10 ms against
# 0.1 ms when none does, hence the bound).
_BROAD_TEXT = 2000


class SqliteStore:
    """Events and alerts in one SQLite file. Safe to share between threads (one lock).

    With `retention_days`, writes sweep out older events at most once an hour (wall clock from
    `clock`, epoch seconds): the embedded counterpart of the Elasticsearch ILM policy.
    """

    def __init__(self, path: str | Path, retention_days: int | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = str(path)
        self.retention_days = retention_days
        self.clock = clock
        self._last_sweep = float("-inf")
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
        self._db.create_function("ip_in_network", 2, ip_in_network, deterministic=True)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute(f"PRAGMA page_size={PAGE_SIZE}")  # takes effect on a new file only
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on disk before it returns. The collector drops spooled events once
            # the store has them, so NORMAL (WAL not synced) could lose them on a power cut; with
            # thousands of events per transaction the one fsync per batch costs little.
            self._db.execute("PRAGMA synchronous=FULL")
            # Index pages stay in SQLite's own cache across batches, and the WAL is copied back into
            # the database every ~32 MB rather than every 4 MB (index pages rewritten once, not per
            # batch): together ~5% of the store's CPU per event (benchmarks/bench_store.py).
            self._db.execute(f"PRAGMA cache_size={-CACHE_KIB}")
            page = self._db.execute("PRAGMA page_size").fetchone()[0]
            self._db.execute(f"PRAGMA wal_autocheckpoint={max(1, WAL_CHECKPOINT_BYTES // page)}")
            migrate(self._db)

    # -- writes -------------------------------------------------------------------------------

    def write_events(self, events: Sequence[Event]) -> WriteResult:
        """Insert a batch in one transaction; ids already stored (or repeated) count as duplicates."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # one writer at a time, also across processes
            try:
                stored = self._insert_events(events, self._next_seq("events"))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        self._sweep_if_due()
        return WriteResult(stored=stored, duplicates=len(events) - stored)

    def _insert_events(self, events: Sequence[Event], seq: int) -> int:
        """Insert inside the open transaction; returns how many were new.

        The common batch holds no known id, so it is inserted without looking ids up first (the
        unique index refuses repeats anyway); only when some were refused are this batch's rows
        taken out again and the new events alone inserted, so FTS rows match stored rows.
        """
        rows, fts = _event_rows(events, seq)
        before = self._db.total_changes
        self._db.executemany(_INSERT_EVENT.replace("INSERT", "INSERT OR IGNORE", 1), rows)
        if self._db.total_changes - before != len(rows):
            self._db.execute("DELETE FROM events WHERE seq >= ?", (seq,))
            rows, fts = _event_rows(self._new_only("events", events, lambda e: e.flat["event.id"]), seq)
            self._db.executemany(_INSERT_EVENT, rows)
        self._db.executemany(_INSERT_EVENT_FTS, fts)
        return len(rows)

    def write_alerts(self, alerts: Sequence[Alert]) -> WriteResult:
        """Insert alerts (dedupe by id) in one transaction, in the order given."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                fresh = self._new_only("alerts", alerts, lambda a: a.id)
                seq = self._next_seq("alerts")
                rows = [(seq + i, a.id, _epoch(a.timestamp), a.rule_id, a.category, a.severity,
                         a.entity_type, a.entity_value, a.to_json()) for i, a in enumerate(fresh)]
                self._db.executemany("INSERT INTO alerts(seq, id, ts, rule_id, category, severity, "
                                     "entity_type, entity_value, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                self._db.executemany("INSERT INTO alerts_fts(rowid, rule_name, summary) VALUES (?, ?, ?)",
                                     [(seq + i, a.rule_name, a.summary) for i, a in enumerate(fresh)])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return WriteResult(stored=len(rows), duplicates=len(alerts) - len(rows))

    def delete_before(self, moment: datetime) -> int:
        """Retention: drop events older than `moment` (alerts are kept: they are the case record)."""
        deleted = 0
        while True:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    seqs = [r[0] for r in self._db.execute(
                        "SELECT seq FROM events WHERE ts < ? LIMIT ?", (moment.timestamp(), _DELETE_BATCH))]
                    if seqs:
                        # A contentless FTS row is removed by restating its original values.
                        self._db.execute(FTS_DELETE, (orjson.dumps(seqs),))
                        self._db.execute("DELETE FROM events WHERE seq IN (SELECT value FROM json_each(?))",
                                         (orjson.dumps(seqs),))
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            deleted += len(seqs)
            if len(seqs) < _DELETE_BATCH:
                return deleted

    def enforce_retention(self, now: datetime) -> int:
        """Drop events older than `retention_days` before `now` (no-op when retention is unset)."""
        if self.retention_days is None:
            return 0
        return self.delete_before(now - timedelta(days=self.retention_days))

    def _sweep_if_due(self) -> None:
        now = self.clock()
        if self.retention_days is not None and now - self._last_sweep >= RETENTION_CHECK_SECONDS:
            self._last_sweep = now
            self.enforce_retention(datetime.fromtimestamp(now, tz=timezone.utc))

    # -- reads --------------------------------------------------------------------------------

    def get_events(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Stored events by id, oldest first; unknown ids are left out."""
        docs: list[tuple[float, str, bytes]] = []
        with self._lock:
            for start in range(0, len(ids), _CHUNK):
                chunk = list(ids[start:start + _CHUNK])
                marks = ",".join("?" * len(chunk))
                docs += self._db.execute(f"SELECT ts, id, doc FROM events WHERE id IN ({marks})", chunk).fetchall()
        return [orjson.loads(doc) for _, _, doc in sorted(docs)]

    def search_events(self, query: EventQuery) -> Page:
        return self._page("events", query)

    def search_alerts(self, query: EventQuery) -> Page:
        return self._page("alerts", query)

    def count_events(self, query: EventQuery) -> int:
        clause, params = where("events", query)
        with self._lock:
            return self._db.execute(f"SELECT count(*) FROM events WHERE {clause}", params).fetchone()[0]

    def histogram(self, query: EventQuery, interval_seconds: int) -> list[tuple[str, int]]:
        """Event counts per bucket of `interval_seconds` (aligned to the epoch), oldest first."""
        if not 1 <= interval_seconds <= MAX_INTERVAL_SECONDS:
            raise ValueError(f"interval_seconds must be between 1 and {MAX_INTERVAL_SECONDS}")
        clause, params = where("events", query)
        sql = f"SELECT CAST(ts / ? AS INTEGER) AS b, count(*) FROM events WHERE {clause} GROUP BY b ORDER BY b"
        with self._lock:
            rows = self._db.execute(sql, [interval_seconds, *params]).fetchall()
        return [(format_timestamp(datetime.fromtimestamp(b * interval_seconds, tz=timezone.utc)), n)
                for b, n in rows]

    def top_values(self, query: EventQuery, field_name: str, size: int = 10) -> list[tuple[Any, int]]:
        """The most frequent values of a field (list fields count each element), ties by value."""
        clause, params = where("events", query)
        kind = FIELDS.get(field_name)
        column = EVENT_COLUMNS.get(field_name)
        if kind == "keyword[]":
            sql = (f"SELECT j.value AS v, count(*) AS n FROM (SELECT doc FROM events WHERE {clause}) AS e, "
                   "json_each(e.doc, ?) AS j GROUP BY v ORDER BY n DESC, v LIMIT ?")
            args = [*params, json_path(field_name)]
        else:
            expr = column or "json_extract(doc, ?)"
            sql = (f"SELECT {expr} AS v, count(*) AS n FROM events WHERE {clause} AND v IS NOT NULL "
                   "GROUP BY v ORDER BY n DESC, v LIMIT ?")
            args = [*([] if column else [json_path(field_name)]), *params]
        with self._lock:
            rows = self._db.execute(sql, [*args, max(1, min(size, 1000))]).fetchall()
        return [(bool(v) if kind == "bool" else v, n) for v, n in rows]

    def alerts_after(self, cursor: int, limit: int = 500) -> tuple[list[Alert], int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, doc FROM alerts WHERE seq > ? ORDER BY seq LIMIT ?", (cursor, limit)
            ).fetchall()
        if not rows:
            return [], cursor
        return [Alert.from_json(doc) for _, doc in rows], rows[-1][0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- helpers ------------------------------------------------------------------------------

    def _new_only(self, table: str, items: Sequence[Any], key: Any) -> list[Any]:
        """Items whose id is neither stored nor repeated earlier in the batch (first one wins)."""
        ids = [key(item) for item in items]
        known: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            known.update(r[0] for r in self._db.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk))
        fresh = []
        for item, item_id in zip(items, ids):
            if item_id not in known:
                known.add(item_id)
                fresh.append(item)
        return fresh

    def _next_seq(self, table: str) -> int:
        return (self._db.execute(f"SELECT max(seq) FROM {table}").fetchone()[0] or 0) + 1

    def _page(self, table: str, query: EventQuery) -> Page:
        """One page ordered by @timestamp, ties by id; the cursor is the last row's (ts, id).

        Rows are chosen on (seq, ts, id) alone and their documents read afterwards, so sorting
        many matches never drags their documents along.
        """
        descending = query.sort != "asc"
        order = "DESC" if descending else "ASC"
        size = max(1, min(query.size, 1000))
        with self._lock:
            terms = parse_text(query.text)
            broad = bool(terms) and fts_hits_at_least(self._db, table, terms, _BROAD_TEXT)
            clause, params = where(table, query, probe_text=broad)
            if query.cursor:
                ts, last_id = _decode_cursor(query.cursor)
                op = "<" if descending else ">"
                clause += f" AND (ts {op} ? OR (ts = ? AND id {op} ?))"
                params += [ts, ts, last_id]
            sql = f"SELECT seq, ts, id FROM {table} WHERE {clause} ORDER BY ts {order}, id {order} LIMIT ?"
            rows = self._db.execute(sql, [*params, size + 1]).fetchall()
            more = len(rows) > size
            rows = rows[:size]
            seqs = [r[0] for r in rows]
            docs = dict(self._db.execute(f"SELECT seq, doc FROM {table} WHERE seq IN "
                                         "(SELECT value FROM json_each(?))", (orjson.dumps(seqs),)))
        cursor = f"{rows[-1][1]!r}:{rows[-1][2]}" if more and rows else None
        return Page(items=[orjson.loads(docs[seq]) for seq in seqs], next_cursor=cursor)


def _event_rows(events: Sequence[Event], seq: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The events-table and FTS rows of a batch, numbered from `seq` (the ingest hot path)."""
    rows, fts = [], []
    for e in events:
        get = e.flat.get
        rows.append((seq, get("event.id"), e.ts, get("event.dataset"), get("event.action"), get("user.id"),
                     get("user.name"), get("source.ip"), e.to_json()))
        fts.append((seq, get("url.path"), get("url.query"), get("http.request.body.content"),
                    get("user_agent.original"), get("user.name")))
        seq += 1
    return rows, fts


def _epoch(timestamp: str) -> float:
    return parse_timestamp(timestamp).timestamp()


def _decode_cursor(cursor: str) -> tuple[float, str]:
    try:
        ts, last_id = cursor.split(":", 1)
        return float(ts), last_id
    except ValueError:
        raise ValueError("invalid cursor") from None
