"""Event search: `field:value` filters and free text, a time range, histogram, facets and pages."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.event import parse_timestamp
from core.store import EventQuery
from dashboard.charts import Chart, single
from dashboard.context import AppContext
from dashboard.incidents.schemas import EventView
from dashboard.incidents.timeline import event_view
from dashboard.pii import mask_value

_FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
RANGES = {"15m": 900, "1h": 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400, "all": 0}
FACETS = ("event.dataset", "event.action", "event.outcome", "source.ip", "user.name")
PAGE_SIZE = 50


class SearchError(ValueError):
    """A query the store cannot run; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    q: str
    range: str
    start: str
    end: str
    total: int
    events: list[EventView]
    next_cursor: str | None
    chart: Chart | None
    facets: list[tuple[str, list[tuple[str, str, int]]]]  # field, [(shown, filter value or "", count)]
    error: str


def parse_query(q: str) -> tuple[dict[str, list[str]], str]:
    """Split `field:value` tokens (filters, OR within a field) from free-text words."""
    try:
        tokens = shlex.split(q[:2000])
    except ValueError:
        tokens = q[:2000].split()
    filters: dict[str, list[str]] = {}
    words: list[str] = []
    for token in tokens:
        name, sep, value = token.partition(":")
        if sep and value and _FIELD_RE.match(name) and not name.startswith(("http", "https")):
            filters.setdefault(name, []).append(value)
        else:
            words.append(token)
    return filters, " ".join(words)


def _bounds(ctx: AppContext, range_key: str, start: str, end: str) -> tuple[datetime | None, datetime | None]:
    """An explicit start/end wins; else a range relative to now; `all` means unbounded."""
    try:
        lo = parse_timestamp(start, "start") if start else None
        hi = parse_timestamp(end, "end") if end else None
    except ValueError as exc:
        raise SearchError("start and end must be dates like 2026-11-02T09:00") from exc
    if lo is None and hi is None and RANGES.get(range_key):
        return ctx.clock() - timedelta(seconds=RANGES[range_key]), None
    return lo, hi


def search(
    ctx: AppContext,
    q: str = "",
    range_key: str = "all",
    start: str = "",
    end: str = "",
    cursor: str | None = None,
) -> SearchResult:
    """Run one search with its histogram and facets."""
    filters, text = parse_query(q)
    try:
        lo, hi = _bounds(ctx, range_key, start, end)
        query = EventQuery(
            start=lo, end=hi, filters=dict(filters), text=text or None, size=PAGE_SIZE, cursor=cursor or None
        )
        page = ctx.store.search_events(query)
        total = ctx.store.count_events(query)
        chart = _histogram(ctx, query, lo, hi) if total else None
        facets = [(f, _facet(ctx, query, f)) for f in FACETS] if total else []
    except ValueError as exc:
        return SearchResult(q, range_key, start, end, 0, [], None, None, [], _message(exc))
    return SearchResult(
        q,
        range_key,
        start,
        end,
        total,
        [event_view(d) for d in page.items],
        page.next_cursor,
        chart,
        facets,
        "",
    )


def _facet(ctx: AppContext, query: EventQuery, name: str) -> list[tuple[str, str, int]]:
    """Top values, masked for display; a masked value gets no filter link (it would reveal the value)."""
    out = []
    for value, count in ctx.store.top_values(query, name, 8):
        shown = mask_value(name, value)
        out.append((shown, str(value) if shown == str(value) else "", count))
    return out


def _message(exc: Exception) -> str:
    if isinstance(exc, SearchError):
        return str(exc)
    return "The query could not be run: check field names and values."


def _histogram(ctx: AppContext, query: EventQuery, lo: datetime | None, hi: datetime | None) -> Chart:
    """About 60 buckets over the searched span (the data's own span when unbounded)."""
    lo = lo or _edge(ctx, query, "asc")
    hi = hi or _edge(ctx, query, "desc") + timedelta(seconds=1)
    span = max(60.0, (hi - lo).total_seconds())
    interval = next(
        (s for s in (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400) if span / s <= 60), 30 * 86400
    )
    return single(ctx.store.histogram(query, interval))


def _edge(ctx: AppContext, query: EventQuery, sort: str) -> datetime:
    probe = EventQuery(
        start=query.start, end=query.end, filters=query.filters, text=query.text, sort=sort, size=1
    )
    items = ctx.store.search_events(probe).items
    if not items:
        return datetime.now(UTC)
    return parse_timestamp(items[0].get("@timestamp"))
