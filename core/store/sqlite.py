"""SQLite backend of the store (embedded deployment): WAL, a few indexed columns, JSON documents."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import orjson

from core.alert import Alert
from core.event import Event, format_timestamp, parse_timestamp
from core.store.base import EventQuery, Page, WriteResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    ts REAL NOT NULL,
    dataset TEXT NOT NULL,
    action TEXT NOT NULL,
    user_name TEXT,
    source_ip TEXT,
    doc BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
CREATE INDEX IF NOT EXISTS events_dataset_ts ON events(dataset, ts);
CREATE INDEX IF NOT EXISTS events_user_ts ON events(user_name, ts);
CREATE INDEX IF NOT EXISTS events_ip_ts ON events(source_ip, ts);
CREATE TABLE IF NOT EXISTS alerts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    ts REAL NOT NULL,
    rule_id TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_value TEXT NOT NULL,
    doc BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_ts ON alerts(ts);
CREATE INDEX IF NOT EXISTS alerts_entity ON alerts(entity_type, entity_value, ts);
"""

# Filters on these fields use indexed columns; any other field goes through json_extract.
_EVENT_COLUMNS = {
    "event.id": "id", "event.dataset": "dataset", "event.action": "action",
    "user.name": "user_name", "source.ip": "source_ip",
}
_ALERT_COLUMNS = {
    "id": "id", "rule.id": "rule_id", "category": "category", "severity": "severity",
    "entity.type": "entity_type", "entity.value": "entity_value",
}


def _json_path(field_name: str) -> str:
    """A json_extract path for a dotted field; each part quoted so no name can break out."""
    parts = field_name.split(".")
    if field_name.startswith("@") or not all(p.replace("_", "").isalnum() for p in parts):
        raise ValueError(f"unsupported field name: {field_name[:60]!r}")
    return "$." + ".".join(f'"{p}"' for p in parts)


class SqliteStore:
    """Events and alerts in one SQLite file. Safe to share between threads (one lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)

    # -- writes -------------------------------------------------------------------------------

    def write_events(self, events: Sequence[Event]) -> WriteResult:
        """Insert a batch in one transaction; events whose id is already stored count as duplicates."""
        rows = [
            (e.id, e.ts, e.dataset, e.action, e.flat.get("user.name"), e.flat.get("source.ip"), e.to_json())
            for e in events
        ]
        with self._lock, self._db:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO events(id, ts, dataset, action, user_name, source_ip, doc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            stored = self._db.total_changes - before
        return WriteResult(stored=stored, duplicates=len(rows) - stored)

    def write_alerts(self, alerts: Sequence[Alert]) -> WriteResult:
        rows = [
            (a.id, _epoch(a.timestamp), a.rule_id, a.category, a.severity, a.entity_type,
             a.entity_value, a.to_json())
            for a in alerts
        ]
        with self._lock, self._db:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO alerts(id, ts, rule_id, category, severity, entity_type, "
                "entity_value, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            stored = self._db.total_changes - before
        return WriteResult(stored=stored, duplicates=len(rows) - stored)

    def delete_before(self, moment: datetime) -> int:
        """Retention: drop events older than `moment` (alerts are kept: they are the case record)."""
        with self._lock, self._db:
            return self._db.execute("DELETE FROM events WHERE ts < ?", (moment.timestamp(),)).rowcount

    # -- reads --------------------------------------------------------------------------------

    def get_events(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(f"SELECT doc FROM events WHERE id IN ({marks}) ORDER BY ts", list(ids))
            return [orjson.loads(r[0]) for r in rows.fetchall()]

    def search_events(self, query: EventQuery) -> Page:
        return self._page("events", _EVENT_COLUMNS, query)

    def search_alerts(self, query: EventQuery) -> Page:
        return self._page("alerts", _ALERT_COLUMNS, query)

    def count_events(self, query: EventQuery) -> int:
        where, params = _where(_EVENT_COLUMNS, query)
        with self._lock:
            return self._db.execute(f"SELECT count(*) FROM events WHERE {where}", params).fetchone()[0]

    def histogram(self, query: EventQuery, interval_seconds: int) -> list[tuple[str, int]]:
        """Event counts per bucket of `interval_seconds`, oldest first; empty buckets omitted."""
        where, params = _where(_EVENT_COLUMNS, query)
        sql = (f"SELECT CAST(ts / ? AS INTEGER) AS b, count(*) FROM events WHERE {where} "
               "GROUP BY b ORDER BY b")
        with self._lock:
            rows = self._db.execute(sql, [interval_seconds, *params]).fetchall()
        return [(format_timestamp(datetime.fromtimestamp(b * interval_seconds, tz=timezone.utc)), n) for b, n in rows]

    def top_values(self, query: EventQuery, field_name: str, size: int = 10) -> list[tuple[Any, int]]:
        where, params = _where(_EVENT_COLUMNS, query)
        column = _EVENT_COLUMNS.get(field_name)
        expr = column or "json_extract(doc, ?)"
        extra = [] if column else [_json_path(field_name)]
        sql = (f"SELECT {expr} AS v, count(*) AS n FROM events WHERE {where} AND v IS NOT NULL "
               "GROUP BY v ORDER BY n DESC, v LIMIT ?")
        with self._lock:
            return [(v, n) for v, n in self._db.execute(sql, [*extra, *params, size]).fetchall()]

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

    def _page(self, table: str, columns: dict[str, str], query: EventQuery) -> Page:
        where, params = _where(columns, query)
        descending = query.sort != "asc"
        if query.cursor:
            ts, seq = _decode_cursor(query.cursor)
            op = "<" if descending else ">"
            where += f" AND (ts {op} ? OR (ts = ? AND seq {op} ?))"
            params += [ts, ts, seq]
        order = "DESC" if descending else "ASC"
        size = max(1, min(query.size, 1000))
        sql = f"SELECT seq, ts, doc FROM {table} WHERE {where} ORDER BY ts {order}, seq {order} LIMIT ?"
        with self._lock:
            rows = self._db.execute(sql, [*params, size + 1]).fetchall()
        more = len(rows) > size
        rows = rows[:size]
        cursor = f"{rows[-1][1]!r}:{rows[-1][0]}" if more and rows else None
        return Page(items=[orjson.loads(r[2]) for r in rows], next_cursor=cursor)


def _epoch(timestamp: str) -> float:
    return parse_timestamp(timestamp).timestamp()


def _decode_cursor(cursor: str) -> tuple[float, int]:
    try:
        ts, seq = cursor.split(":")
        return float(ts), int(seq)
    except ValueError:
        raise ValueError("invalid cursor") from None


def _where(columns: dict[str, str], query: EventQuery) -> tuple[str, list[Any]]:
    """Build a parameterized WHERE clause: values always bound, field names mapped or path-quoted."""
    clauses = ["1=1"]
    params: list[Any] = []
    if query.start is not None:
        clauses.append("ts >= ?")
        params.append(query.start.timestamp())
    if query.end is not None:
        clauses.append("ts < ?")
        params.append(query.end.timestamp())
    for field_name, values in query.filters.items():
        values = values if isinstance(values, list) else [values]
        if not values:
            continue
        column = columns.get(field_name)
        marks = ",".join("?" * len(values))
        if column:
            clauses.append(f"{column} IN ({marks})")
        else:
            clauses.append(f"json_extract(doc, ?) IN ({marks})")
            params.append(_json_path(field_name))
        params.extend(values)
    if query.text:
        clauses.append("instr(lower(CAST(doc AS TEXT)), ?) > 0")
        params.append(query.text.lower())
    return " AND ".join(clauses), params
