"""Alerts become incidents: grouped by entity, category and time window, deduplicated, reopened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
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
    """Record new alerts (skipping ids already seen) and attach each to an incident.

    One batch costs a few queries: seen ids, candidate incidents of every key, one bulk insert.
    """
    suppressions = Suppressions.load(ctx)
    now = ctx.clock()
    placed: list[tuple[Alert, datetime, Incident | None, bool]] = []
    with ctx.db.session() as db, db.no_autoflush:
        seen = set(db.scalars(select(AlertRecord.id).where(AlertRecord.id.in_([a.id for a in alerts]))))
        fresh = []
        for alert in sorted(alerts, key=lambda a: a.timestamp):
            if alert.id not in seen:
                seen.add(alert.id)
                fresh.append((alert, parse_timestamp(alert.timestamp)))
        cache = _candidates(ctx, db, fresh)
        leads = _leads(db, list(cache.values()))
        for alert, moment in fresh:
            if suppressions.suppressed(alert, now):
                placed.append((alert, moment, None, False))
                continue
            incident, opened = _incident_for(ctx, db, cache, alert, moment, now)
            _attach(incident, alert, moment)
            _retitle(leads, incident, alert, moment)
            placed.append((alert, moment, incident, opened))
        db.flush()  # assigns ids to the incidents opened in this batch
        if placed:
            db.execute(
                insert(AlertRecord), [_record(a, m, i.id if i else None, i is None) for a, m, i, _ in placed]
            )
        return [Grouped(a, i.id if i else None, opened) for a, _, i, opened in placed]


def _key(alert: Alert) -> tuple[str, str, str]:
    return (alert.entity_type, alert.entity_value[:256], alert.category)


def _candidates(
    ctx: AppContext, db: Session, fresh: list[tuple[Alert, datetime]]
) -> dict[tuple[str, str, str], Incident]:
    """The newest incident of each key in the batch that a new alert could still join or reopen."""
    if not fresh:
        return {}
    keys = {_key(a) for a, _ in fresh}
    reach = max(ctx.settings.incident_window_seconds, ctx.settings.reopen_window_seconds)
    horizon = min(m for _, m in fresh) - timedelta(seconds=reach)
    rows = db.scalars(
        select(Incident).where(
            Incident.entity_type.in_({k[0] for k in keys}),
            Incident.entity_value.in_({k[1] for k in keys}),
            Incident.status != "merged",
            Incident.last_seen >= horizon,
        )
    ).all()
    latest: dict[tuple[str, str, str], Incident] = {}
    for incident in rows:
        key = (incident.entity_type, incident.entity_value, incident.category)
        if key in keys and (key not in latest or incident.last_seen > latest[key].last_seen):
            latest[key] = incident
    return latest


def _incident_for(
    ctx: AppContext,
    db: Session,
    cache: dict[tuple[str, str, str], Incident],
    alert: Alert,
    moment: datetime,
    now: datetime,
) -> tuple[Incident, bool]:
    """The open incident this alert joins, a closed one it reopens, or a new one."""
    key = _key(alert)
    candidate = cache.get(key)
    if candidate is not None and alert.category != REPORT_CATEGORY:  # each user report is its own case
        gap = moment - candidate.last_seen
        if candidate.status not in CLOSED and gap <= timedelta(seconds=ctx.settings.incident_window_seconds):
            return candidate, False
        if candidate.status in CLOSED and gap <= timedelta(seconds=ctx.settings.reopen_window_seconds):
            _reopen(db, candidate, alert, now)
            return candidate, False
    incident = Incident(
        kind="user_report" if alert.category == REPORT_CATEGORY else "alert",
        entity_type=alert.entity_type,
        entity_value=key[1],
        category=alert.category,
        title=_title(alert),
        status="new",
        severity=alert.severity,
        risk_score=alert.risk_score,
        first_seen=moment,
        last_seen=moment,
        created_at=now,
        alert_count=0,
        severity_overridden=False,
    )
    db.add(incident)
    cache[key] = incident
    return incident, True


def _title(alert: Alert) -> str:
    return f"{alert.rule_name or alert.rule_id} ({alert.entity_type} {alert.entity_value})"[:512]


Lead = tuple[int, datetime]  # (severity rank, event time) of the alert an incident's title follows


def _leads(db: Session, incidents: list[Incident]) -> dict[int, Lead]:
    """Per existing incident (by object id): its most severe stored alert, ties the newest (one query)."""
    by_id = {i.id: i for i in incidents if i.id is not None}
    if not by_id:
        return {}
    rows = db.execute(
        select(AlertRecord.incident_id, AlertRecord.severity, func.max(AlertRecord.ts))
        .where(AlertRecord.incident_id.in_(list(by_id)), AlertRecord.suppressed.is_(False))
        .group_by(AlertRecord.incident_id, AlertRecord.severity)
    ).all()
    leads: dict[int, Lead] = {}
    for incident_id, severity, newest in rows:
        lead = (_rank(severity), newest)
        key = id(by_id[incident_id])
        if key not in leads or lead > leads[key]:
            leads[key] = lead
    return leads


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else -1


def _retitle(leads: dict[int, Lead], incident: Incident, alert: Alert, moment: datetime) -> None:
    """The title follows the most severe alert (ties: the newest); id and history stay."""
    lead = (_rank(alert.severity), moment)
    current = leads.get(id(incident))
    if current is None or lead >= current:
        leads[id(incident)] = lead
        incident.title = _title(alert)


def _reopen(db: Session, incident: Incident, alert: Alert, now: datetime) -> None:
    previous = incident.status
    incident.status = "new"
    incident.resolved_at = None
    db.add(
        TimelineEntry(
            incident_id=incident.id,
            ts=now,
            kind="system",
            actor="system",
            text=f"reopened from {previous}: new alert {alert.rule_name or alert.rule_id}",
        )
    )


def _attach(incident: Incident, alert: Alert, moment: datetime) -> None:
    incident.alert_count += 1
    incident.last_seen = max(incident.last_seen, moment)
    incident.first_seen = min(incident.first_seen, moment)
    incident.risk_score = max(incident.risk_score, alert.risk_score)
    if not incident.severity_overridden:
        incident.severity = max_severity(incident.severity, alert.severity)


def _record(
    alert: Alert, moment: datetime, incident_id: int | None, suppressed: bool = False
) -> dict[str, object]:
    return {
        "id": alert.id,
        "incident_id": incident_id,
        "ts": moment,
        "rule_id": alert.rule_id[:128],
        "rule_name": alert.rule_name[:256],
        "category": alert.category,
        "severity": alert.severity,
        "risk_score": alert.risk_score,
        "entity_type": alert.entity_type,
        "entity_value": alert.entity_value[:256],
        "summary": alert.summary[:4000],
        "event_ids": alert.event_ids,
        "tags": alert.tags[:50],
        "suppressed": suppressed,
    }
