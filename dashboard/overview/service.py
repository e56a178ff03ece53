"""The overview: alerts over time by category, open incidents by severity, top entities, MTTA/MTTR, health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from core.event import format_timestamp
from core.store import EventQuery
from dashboard.charts import Chart, stacked
from dashboard.context import AppContext
from dashboard.incidents.schemas import OPEN_STATUSES, Metrics
from dashboard.incidents.service import metrics
from dashboard.models import AlertRecord, Incident, KeyValue

BUCKETS = 24
BUCKET_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Health:
    newest_event: str
    newest_alert: str
    alerts_processed: int
    alerts_last_24h: int
    store: str


@dataclass(frozen=True, slots=True)
class Overview:
    chart: Chart
    metrics: Metrics
    top_entities: list[tuple[str, str, int]]
    top_rules: list[tuple[str, int, str]]
    health: Health


def overview(ctx: AppContext) -> Overview:
    with ctx.db.session() as db:
        newest = db.scalar(select(func.max(AlertRecord.ts)))
        end = (newest or ctx.clock()) + timedelta(seconds=1)
        start = end - timedelta(seconds=BUCKETS * BUCKET_SECONDS)
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
        cursor = db.get(KeyValue, "alerts_cursor")
        processed = db.scalar(select(func.count(AlertRecord.id))) or 0
        recent = sum(sum(v) for v in series.values())
    newest_event = _newest_event(ctx)
    health = Health(
        newest_event,
        format_timestamp(newest) if newest else "-",
        processed if cursor else 0,
        recent,
        "down" if newest_event == "unreachable" else "ok",
    )
    return Overview(
        stacked(labels, series),
        metrics(ctx),
        [(t, v, n) for t, v, n in entities],
        [(name, n, format_timestamp(last)) for name, n, last in rules],
        health,
    )


def _newest_event(ctx: AppContext) -> str:
    try:
        items = ctx.store.search_events(EventQuery(size=1)).items
    except Exception:  # noqa: BLE001 - health shows the store as unreachable instead of failing the page
        return "unreachable"
    return str(items[0].get("@timestamp", "-")) if items else "-"
