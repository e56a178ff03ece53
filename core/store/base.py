"""The store interface: one shape for events, alerts and the queries the dashboard runs.

Backends: `core.store.sqlite` (embedded) and `core.store.elastic` (distributed). Writes are
batched and idempotent by id; reads take an `EventQuery` and page with an opaque cursor. Both
backends answer the same query the same way (tests/store/test_parity.py); free text follows
`core.store.text`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, Sequence

from core.alert import Alert
from core.event import Event

# Alert fields and their types (core.schema.FIELDS covers events): filters and mappings read it.
ALERT_FIELDS: dict[str, str] = {
    "id": "keyword", "@timestamp": "date", "rule.id": "keyword", "rule.name": "text",
    "category": "keyword", "severity": "keyword", "risk_score": "long", "entity.type": "keyword",
    "entity.value": "keyword", "event_ids": "keyword[]", "tags": "keyword[]", "summary": "text",
}


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
MAX_INTERVAL_SECONDS = 100 * 366 * 86_400  # histogram buckets: a century is plenty, and stays in range
_SCALARS = (str, int, float, bool)


def filter_values(field_name: str, values: Any) -> list[Any]:
    """A filter's values as a list; a clear ValueError for values no backend can compare.

    SQLite integers and Elasticsearch longs are 64-bit: a larger number would otherwise surface
    as an OverflowError (SQLite) or a server error (Elasticsearch) instead of a client error.
    """
    values = list(values) if isinstance(values, (list, tuple)) else [values]
    for value in values:
        if value is None:
            continue
        if not isinstance(value, _SCALARS):
            # ValueError, not TypeError: callers answer every bad query value as a client error
            raise ValueError(f"filter {field_name[:60]!r}: values must be strings, numbers or booleans")  # noqa: TRY004
        if type(value) is int and not _INT64_MIN <= value <= _INT64_MAX:
            raise ValueError(f"filter {field_name[:60]!r}: number out of the 64-bit range")
        if type(value) is float and not math.isfinite(value):
            raise ValueError(f"filter {field_name[:60]!r}: number must be finite")
    return values


@dataclass(slots=True)
class WriteResult:
    """What a batched write did: newly stored, skipped as duplicates, refused with reasons."""

    stored: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)


@dataclass(slots=True)
class EventQuery:
    """A search: time range on @timestamp, exact-value filters on dotted fields, free text.

    `start` is inclusive, `end` exclusive. A filter matches when the field equals any listed value
    (list fields: any element; `ip` fields also take CIDR blocks). `text` follows core.store.text.
    """

    start: datetime | None = None
    end: datetime | None = None
    filters: dict[str, list[Any]] = field(default_factory=dict)
    text: str | None = None
    sort: str = "desc"  # on @timestamp, ties broken by id
    size: int = 50
    cursor: str | None = None


@dataclass(slots=True)
class Page:
    """One page of results and the cursor for the next (None at the end)."""

    items: list[dict[str, Any]]
    next_cursor: str | None = None
    total: int | None = None


class EventStore(Protocol):
    """Storage for events and alerts. Every method is safe to call from one thread at a time."""

    def write_events(self, events: Sequence[Event]) -> WriteResult: ...

    def get_events(self, ids: Sequence[str]) -> list[dict[str, Any]]: ...

    def search_events(self, query: EventQuery) -> Page: ...

    def count_events(self, query: EventQuery) -> int: ...

    def histogram(self, query: EventQuery, interval_seconds: int) -> list[tuple[str, int]]: ...

    def top_values(self, query: EventQuery, field_name: str, size: int = 10) -> list[tuple[Any, int]]: ...

    def write_alerts(self, alerts: Sequence[Alert]) -> WriteResult: ...

    def search_alerts(self, query: EventQuery) -> Page: ...

    def alerts_after(self, cursor: int, limit: int = 500) -> tuple[list[Alert], int]:
        """Alerts stored after `cursor` in storage order, and the new cursor (tailing for consumers)."""
        ...

    def delete_before(self, moment: datetime) -> int:
        """Retention: drop events with @timestamp before `moment`; returns how many."""
        ...

    def enforce_retention(self, now: datetime) -> int:
        """Drop events older than the store's `retention_days` (URL option) before `now`; 0 if unset.

        Both backends also sweep on their own (SQLite: hourly on writes; Elasticsearch: ILM).
        """
        ...

    def close(self) -> None: ...
