"""The overview: alerts over time by category, open incidents by severity, top entities, MTTA/MTTR, health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.event import format_timestamp
from core.store import EventQuery
from dashboard.charts import Chart, stacked
from dashboard.context import AppContext
from dashboard.incidents.schemas import OPEN_STATUSES, Metrics
from dashboard.incidents.service import metrics
from dashboard.models import AlertRecord, Incident
from dashboard.rules.service import rule_rows

BUCKETS = 24
BUCKET_SECONDS = 3600


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


@dataclass(frozen=True, slots=True)
class Overview:
    chart: Chart
    metrics: Metrics
    top_entities: list[tuple[str, str, int]]
    top_rules: list[tuple[str, int, str]]
    health: Health


def _series(db: Session, start: datetime) -> tuple[list[str], dict[str, list[int]]]:
    """Alert counts per hour bucket and category, from `start` (one indexed query per bucket)."""
    series: dict[str, list[int]] = {}
    labels = []
    for i in range(BUCKETS):
        lo = start + timedelta(seconds=i * BUCKET_SECONDS)
        labels.append(format_timestamp(lo))
        rows = db.execute(
            select(AlertRecord.category, func.count())
            .where(AlertRecord.ts >= lo, AlertRecord.ts < lo + timedelta(seconds=BUCKET_SECONDS))
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
    """Everything the overview shows; the chart covers the 24 hours up to the newest alert."""
    with ctx.db.session() as db:
        newest = db.scalar(select(func.max(AlertRecord.ts)))
        start = (newest or ctx.clock()) + timedelta(seconds=1 - BUCKETS * BUCKET_SECONDS)
        labels, series = _series(db, start)
        entities, rules = _tops(db, start)
        processed = db.scalar(select(func.count(AlertRecord.id))) or 0
    newest_event = _newest_event(ctx)
    rows, problems = rule_rows(ctx)
    files = [r for r in rows if r.kind != "model"]
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
    )
    return Overview(stacked(labels, series), metrics(ctx), entities, rules, health)


def _newest_event(ctx: AppContext) -> str:
    try:
        items = ctx.store.search_events(EventQuery(size=1)).items
    except Exception:  # noqa: BLE001 - health shows the store as unreachable instead of failing the page
        return "unreachable"
    return str(items[0].get("@timestamp", "-")) if items else "-"
