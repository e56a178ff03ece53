"""Alerts become incidents: grouped by entity, category and time window, deduplicated, reopened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.alert import Alert
from core.event import parse_timestamp
from dashboard.context import AppContext
from dashboard.models import AlertRecord, Incident, TimelineEntry
from dashboard.rules.state import Suppressions
from dashboard.settings import SEVERITY_ORDER

CLOSED = ("resolved", "false_positive")
REPORT_CATEGORY = "user_report"


@dataclass(frozen=True, slots=True)
class Grouped:
    """What happened to one new alert: its incident (None when suppressed) and whether it opened one."""

    alert: Alert
    incident_id: int | None
    opened: bool = False


def max_severity(a: str, b: str) -> str:
    return a if SEVERITY_ORDER.index(a) >= SEVERITY_ORDER.index(b) else b


def group_alerts(ctx: AppContext, alerts: list[Alert]) -> list[Grouped]:
    """Record new alerts (skipping ids already seen) and attach each to an incident."""
    suppressions = Suppressions.load(ctx)
    now = ctx.clock()
    out: list[Grouped] = []
    with ctx.db.session() as db:
        ids = [a.id for a in alerts]
        seen = set(db.scalars(select(AlertRecord.id).where(AlertRecord.id.in_(ids))))
        cache: dict[tuple[str, str, str], Incident] = {}
        for alert in sorted(alerts, key=lambda a: a.timestamp):
            if alert.id in seen:
                continue
            seen.add(alert.id)
            moment = parse_timestamp(alert.timestamp)
            if suppressions.suppressed(alert, now):
                db.add(_record(alert, moment, None, suppressed=True))
                out.append(Grouped(alert, None))
                continue
            incident, opened = _incident_for(ctx, db, cache, alert, moment, now)
            _attach(incident, alert, moment)
            db.add(_record(alert, moment, incident.id))
            out.append(Grouped(alert, incident.id, opened))
    return out


def _incident_for(ctx: AppContext, db: Session, cache: dict[tuple[str, str, str], Incident], alert: Alert,
                  moment: datetime, now: datetime) -> tuple[Incident, bool]:
    """The open incident this alert joins, a closed one it reopens, or a new one."""
    key = (alert.entity_type, alert.entity_value[:256], alert.category)
    if alert.category != REPORT_CATEGORY:  # each user report is its own case
        candidate = cache.get(key) or _latest(db, key)
        if candidate is not None:
            gap = moment - candidate.last_seen
            if candidate.status not in CLOSED and gap <= timedelta(seconds=ctx.settings.incident_window_seconds):
                cache[key] = candidate
                return candidate, False
            if candidate.status in CLOSED and gap <= timedelta(seconds=ctx.settings.reopen_window_seconds):
                _reopen(db, candidate, alert, now)
                cache[key] = candidate
                return candidate, False
    incident = Incident(
        kind="user_report" if alert.category == REPORT_CATEGORY else "alert",
        entity_type=alert.entity_type, entity_value=key[1], category=alert.category,
        title=f"{alert.rule_name or alert.rule_id} ({alert.entity_type} {alert.entity_value})"[:512],
        status="new", severity=alert.severity, risk_score=alert.risk_score, first_seen=moment, last_seen=moment,
        created_at=now, alert_count=0,
    )
    db.add(incident)
    db.flush()
    cache[key] = incident
    return incident, True


def _latest(db: Session, key: tuple[str, str, str]) -> Incident | None:
    return db.scalar(
        select(Incident).where(Incident.entity_type == key[0], Incident.entity_value == key[1],
                               Incident.category == key[2], Incident.status != "merged")
        .order_by(Incident.last_seen.desc()).limit(1)
    )


def _reopen(db: Session, incident: Incident, alert: Alert, now: datetime) -> None:
    previous = incident.status
    incident.status = "new"
    incident.resolved_at = None
    db.add(TimelineEntry(incident_id=incident.id, ts=now, kind="system", actor="system",
                         text=f"reopened from {previous}: new alert {alert.rule_name or alert.rule_id}"))


def _attach(incident: Incident, alert: Alert, moment: datetime) -> None:
    incident.alert_count += 1
    incident.last_seen = max(incident.last_seen, moment)
    incident.first_seen = min(incident.first_seen, moment)
    incident.risk_score = max(incident.risk_score, alert.risk_score)
    if not incident.severity_overridden:
        incident.severity = max_severity(incident.severity, alert.severity)


def _record(alert: Alert, moment: datetime, incident_id: int | None, suppressed: bool = False) -> AlertRecord:
    return AlertRecord(
        id=alert.id, incident_id=incident_id, ts=moment, rule_id=alert.rule_id[:128],
        rule_name=alert.rule_name[:256], category=alert.category, severity=alert.severity,
        risk_score=alert.risk_score, entity_type=alert.entity_type, entity_value=alert.entity_value[:256],
        summary=alert.summary[:4000], event_ids=alert.event_ids, tags=alert.tags[:50], suppressed=suppressed,
    )
