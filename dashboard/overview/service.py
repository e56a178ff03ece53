"""The overview: alerts over time by category, open incidents by severity, top entities, MTTA/MTTR, health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.event import format_timestamp, parse_timestamp
from core.store import EventQuery
from dashboard.charts import Chart, single, stacked
from dashboard.context import AppContext
from dashboard.incidents.schemas import OPEN_STATUSES, Metrics, duration_text
from dashboard.incidents.service import metrics
from dashboard.models import AlertRecord, Incident
from dashboard.rules.service import rule_rows

BUCKETS = 24
DAY_SECONDS = 86400
# Chart steps: the smallest whose BUCKETS columns cover the data, so a young stack is not one bar.
STEPS = (60, 120, 300, 600, 900, 1800, 3600)
RATE_MINUTES = 60  # the events-per-minute figure covers the last hour


@dataclass(frozen=True, slots=True)
class Health:
    newest_event: str
    newest_alert: str
    alerts_processed: int
    alerts_last_24h: int
    store: str
    rules: int = 0
    rules_unreadable: int = 0
    rules_disabled: int = 0
    rules_suppressed: int = 0
    rules_silent: int = 0  # rule files that never fired
    rules_deprecated: int = 0  # kept for their ids, never run


@dataclass(frozen=True, slots=True)
class Overview:
    chart: Chart
    metrics: Metrics
    top_entities: list[tuple[str, str, int]]
    top_rules: list[tuple[str, int, str]]
    health: Health
    step: str = "1h"  # one bar of the alert chart
    window: str = "1d 0h"  # the whole alert chart
    per_minute: Chart | None = None  # events per minute over the last hour (None: store unreachable)
    events_last_hour: int = 0


def bucket_seconds(span_seconds: float) -> int:
    """The smallest chart step whose BUCKETS columns cover `span_seconds` of data."""
    return next((s for s in STEPS if s * BUCKETS > span_seconds), STEPS[-1])


def _span_text(seconds: int) -> str:
    """`1m`, `2h`, `1d` rather than `1h 0m`."""
    return duration_text(seconds).replace(" 0m", "").replace(" 0h", "")


def _floor(moment: datetime, step: int) -> datetime:
    """`moment` rounded down to a multiple of `step` seconds since the epoch (clean bucket labels)."""
    return moment - timedelta(seconds=moment.timestamp() % step)


def _series(db: Session, start: datetime, step: int) -> tuple[list[str], dict[str, list[int]]]:
    """Alert counts per `step` bucket and category, from `start` (one indexed query per bucket)."""
    series: dict[str, list[int]] = {}
    labels = []
    for i in range(BUCKETS):
        lo = start + timedelta(seconds=i * step)
        labels.append(format_timestamp(lo))
        rows = db.execute(
            select(AlertRecord.category, func.count())
            .where(AlertRecord.ts >= lo, AlertRecord.ts < lo + timedelta(seconds=step))
            .group_by(AlertRecord.category)
        ).all()
        for category, count in rows:
            series.setdefault(category, [0] * BUCKETS)[i] = count
    return labels, series


def _tops(db: Session, start: datetime) -> tuple[list[tuple[str, str, int]], list[tuple[str, int, str]]]:
    """Entities with the most open incidents, and the busiest rules since `start`."""
    entities = db.execute(
        select(Incident.entity_type, Incident.entity_value, func.count())
        .where(Incident.status.in_(OPEN_STATUSES))
        .group_by(Incident.entity_type, Incident.entity_value)
        .order_by(func.count().desc())
        .limit(10)
    ).all()
    rules = db.execute(
        select(AlertRecord.rule_name, func.count(), func.max(AlertRecord.ts))
        .where(AlertRecord.ts >= start)
        .group_by(AlertRecord.rule_name)
        .order_by(func.count().desc())
        .limit(10)
    ).all()
    return [(t, v, n) for t, v, n in entities], [(r, n, format_timestamp(last)) for r, n, last in rules]


def overview(ctx: AppContext) -> Overview:
    """Everything the overview shows; the chart spans the alerts of the 24 hours up to the newest."""
    with ctx.db.session() as db:
        newest = db.scalar(select(func.max(AlertRecord.ts)))
        day_start = (newest or ctx.clock()) + timedelta(seconds=1 - DAY_SECONDS)
        oldest = db.scalar(select(func.min(AlertRecord.ts)).where(AlertRecord.ts >= day_start))
        step = bucket_seconds((newest - oldest).total_seconds() if newest and oldest else DAY_SECONDS)
        start = _floor(newest or ctx.clock(), step) + timedelta(seconds=(1 - BUCKETS) * step)
        labels, series = _series(db, start, step)
        entities, rules = _tops(db, day_start)
        processed = db.scalar(select(func.count(AlertRecord.id))) or 0
    newest_event = _newest_event(ctx)
    rows, problems = rule_rows(ctx)
    files = [r for r in rows if r.kind != "model" and not r.deprecated]
    health = Health(
        newest_event,
        format_timestamp(newest) if newest else "-",
        processed,
        sum(sum(v) for v in series.values()),
        "down" if newest_event == "unreachable" else "ok",
        len(files),
        len(problems),
        sum(1 for r in rows if not r.enabled),
        sum(1 for r in rows if r.suppressed_until),
        sum(1 for r in files if not r.hits),
        sum(1 for r in rows if r.deprecated),
    )
    per_minute, last_hour = events_per_minute(ctx)
    return Overview(
        stacked(labels, series),
        metrics(ctx),
        entities,
        rules,
        health,
        _span_text(step),
        _span_text(step * BUCKETS),
        per_minute,
        last_hour,
    )


def events_per_minute(ctx: AppContext) -> tuple[Chart | None, int]:
    """Events per minute over the last hour of the wall clock, from the store's histogram."""
    end = _floor(ctx.clock(), 60) + timedelta(seconds=60)
    start = end - timedelta(minutes=RATE_MINUTES)
    try:
        buckets = ctx.store.histogram(EventQuery(start=start, end=end), 60)
    except Exception:  # noqa: BLE001 - the figure shows the store as unreachable instead of failing the page
        return None, 0
    counts = [0] * RATE_MINUTES
    for label, count in buckets:
        index = int((parse_timestamp(label) - start).total_seconds() // 60)
        if 0 <= index < RATE_MINUTES:  # a backend's bucket outside the range is not this hour's
            counts[index] += count
    labels = [format_timestamp(start + timedelta(minutes=i)) for i in range(RATE_MINUTES)]
    return single(list(zip(labels, counts))), sum(counts)


def _newest_event(ctx: AppContext) -> str:
    try:
        items = ctx.store.search_events(EventQuery(size=1)).items
    except Exception:  # noqa: BLE001 - health shows the store as unreachable instead of failing the page
        return "unreachable"
    return str(items[0].get("@timestamp", "-")) if items else "-"
