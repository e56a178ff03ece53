"""SQL for the SQLite store: schema, migrations and parameterized WHERE clauses."""

from __future__ import annotations

import ipaddress
import sqlite3
from typing import Any

from core.schema import FIELDS
from core.store.base import ALERT_FIELDS, EventQuery, filter_values
from core.store.text import Term, fts5_query, parse_text

SCHEMA_VERSION = 2

# columnsize=0: no per-row column sizes (only relevance ranking reads them, and results sort by
# time), which saves one B-tree insert per event: ~2 us of ~19 (store files made before keep
# their FTS table as it was; both shapes answer the same).
# Indexes: time, entity (user id, source IP) and dataset. Each index costs 10-20% of insert speed
# (measured: 51k/s with none, 41k/s with these four, 33k/s adding user_name), so user.name
# filters scan within the time range instead.
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    ts REAL NOT NULL,
    dataset TEXT NOT NULL,
    action TEXT NOT NULL,
    user_id TEXT,
    user_name TEXT,
    source_ip TEXT,
    doc BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
CREATE INDEX IF NOT EXISTS events_dataset_ts ON events(dataset, ts);
CREATE INDEX IF NOT EXISTS events_uid_ts ON events(user_id, ts);
CREATE INDEX IF NOT EXISTS events_ip_ts ON events(source_ip, ts);
CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(
    url_path, url_query, body, user_agent, user_name,
    content='', columnsize=0, tokenize='unicode61 remove_diacritics 0'
);
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
CREATE VIRTUAL TABLE IF NOT EXISTS alerts_fts USING fts5(
    rule_name, summary, content='', tokenize='unicode61 remove_diacritics 0'
);
"""

# The JSON paths the FTS columns are filled from (same order as the columns above).
FTS_PATHS = ('$."url"."path"', '$."url"."query"', '$."http"."request"."body"."content"',
             '$."user_agent"."original"', '$."user"."name"')
_FTS_SELECT = ", ".join(f"json_extract(doc, '{p}')" for p in FTS_PATHS)
FTS_DELETE = (f"INSERT INTO events_fts(events_fts, rowid, url_path, url_query, body, user_agent, "
              f"user_name) SELECT 'delete', seq, {_FTS_SELECT} FROM events WHERE seq IN "
              "(SELECT value FROM json_each(?))")

EVENT_COLUMNS = {
    "event.id": "id", "event.dataset": "dataset", "event.action": "action",
    "user.id": "user_id", "user.name": "user_name", "source.ip": "source_ip",
}
ALERT_COLUMNS = {
    "id": "id", "rule.id": "rule_id", "category": "category", "severity": "severity",
    "entity.type": "entity_type", "entity.value": "entity_value",
}


def migrate(db: sqlite3.Connection) -> None:
    """Bring a store file to the current schema in one transaction (also one written by v1)."""
    if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
    script = [SCHEMA]
    if columns and "user_id" not in columns:  # version 1: no user_id column, no FTS tables
        script = [
            "ALTER TABLE events ADD COLUMN user_id TEXT;",
            "UPDATE events SET user_id = json_extract(doc, '$.\"user\".\"id\"');",
            SCHEMA,
            ("INSERT INTO events_fts(rowid, url_path, url_query, body, user_agent, user_name) "
             f"SELECT seq, {_FTS_SELECT} FROM events;"),
            ("INSERT INTO alerts_fts(rowid, rule_name, summary) SELECT seq, json_extract(doc, "
             "'$.\"rule\".\"name\"'), json_extract(doc, '$.\"summary\"') FROM alerts;"),
        ]
    # executescript commits anything pending first, so the whole migration is its own transaction.
    try:
        db.executescript("BEGIN IMMEDIATE;\n" + "\n".join(script)
                         + f"\nPRAGMA user_version = {SCHEMA_VERSION};\nCOMMIT;")
    except sqlite3.Error:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def ip_in_network(value: Any, network: str) -> int:
    """SQL function: 1 when `value` is an address inside the CIDR `network`."""
    try:
        return int(ipaddress.ip_address(value) in ipaddress.ip_network(network, strict=False))
    except (TypeError, ValueError):
        return 0


def json_path(field_name: str) -> str:
    """A json_extract path for a dotted field; each part quoted so no name can break out."""
    parts = field_name.split(".")
    if field_name.startswith("@") or not all(p.replace("_", "").isalnum() for p in parts):
        raise ValueError(f"unsupported field name: {field_name[:60]!r}")
    return "$." + ".".join(f'"{p}"' for p in parts)


def where(table: str, query: EventQuery, probe_text: bool = False) -> tuple[str, list[Any]]:
    """A parameterized WHERE clause: values always bound, field names mapped or path-quoted.

    `probe_text` keeps SQLite from driving the query by the free-text matches (rows are read in
    time order and only probed against them): faster when most rows match and a page is wanted.
    """
    columns, kinds = (EVENT_COLUMNS, FIELDS) if table == "events" else (ALERT_COLUMNS, ALERT_FIELDS)
    clauses = ["1=1"]
    params: list[Any] = []
    if query.start is not None:
        clauses.append("ts >= ?")
        params.append(query.start.timestamp())
    if query.end is not None:
        clauses.append("ts < ?")
        params.append(query.end.timestamp())
    for field_name, values in query.filters.items():
        values = filter_values(field_name, values)
        if values:
            clause, args = _filter(field_name, values, columns.get(field_name), kinds.get(field_name))
            clauses.append(clause)
            params.extend(args)
    terms = parse_text(query.text)
    if terms:
        column = "+seq" if probe_text else "seq"  # unary + makes the column unusable as an index
        clauses.append(f"{column} IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ?)")
        params.append(fts5_query(terms))
    return " AND ".join(clauses), params


def _filter(field_name: str, values: list[Any], column: str | None, kind: str | None) -> tuple[str, list[Any]]:
    """One field filter: any of `values` matches (list fields: any element; ip fields: CIDR too)."""
    target = column or "json_extract(doc, ?)"
    head = [] if column else [json_path(field_name)]
    marks = ",".join("?" * len(values))
    if kind == "keyword[]":
        return (f"EXISTS (SELECT 1 FROM json_each(doc, ?) WHERE value IN ({marks}))",
                [json_path(field_name), *values])
    if kind == "ip" and any(isinstance(v, str) and "/" in v for v in values):
        nets = [v for v in values if isinstance(v, str) and "/" in v]
        plain = [v for v in values if v not in nets]
        parts = [f"ip_in_network({target}, ?)" for _ in nets]
        args: list[Any] = []
        for net in nets:
            args += [*head, net]
        if plain:
            parts.append(f"{target} IN ({','.join('?' * len(plain))})")
            args += [*head, *plain]
        return "(" + " OR ".join(parts) + ")", args
    return f"{target} IN ({marks})", [*head, *values]


def fts_hits_at_least(db: sqlite3.Connection, table: str, terms: list[Term], bound: int) -> bool:
    """Whether the free-text terms match at least `bound` rows (counting stops at the bound)."""
    sql = f"SELECT count(*) FROM (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ? LIMIT ?)"
    return bool(db.execute(sql, (fts5_query(terms), bound)).fetchone()[0] >= bound)
