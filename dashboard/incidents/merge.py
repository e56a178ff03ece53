"""Merge two incidents into one, or split chosen alerts out into a new incident, by hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard.analysts import audit
from dashboard.analysts.schemas import Principal
from dashboard.context import AppContext
from dashboard.incidents.grouping import max_severity
from dashboard.incidents.service import IncidentError, load, note
from dashboard.models import AlertRecord, Incident, ResponseAction, TimelineEntry


def _recompute(db: Session, incident: Incident) -> None:
    """Alert count, time span, risk and (unless overridden) severity from the incident's alerts."""
    alerts = db.execute(
        select(AlertRecord.ts, AlertRecord.severity, AlertRecord.risk_score).where(
            AlertRecord.incident_id == incident.id
        )
    ).all()
    if not alerts:
        return
    incident.alert_count = len(alerts)
    incident.first_seen = min(a.ts for a in alerts)
    incident.last_seen = max(a.ts for a in alerts)
    incident.risk_score = max(a.risk_score for a in alerts)
    if not incident.severity_overridden:
        severity = "low"
        for a in alerts:
            severity = max_severity(severity, a.severity)
        incident.severity = severity


def merge(ctx: AppContext, who: Principal, target_id: int, source_id: int) -> None:
    """Move every alert, timeline entry and response of `source` into `target`; source becomes `merged`."""
    if target_id == source_id:
        raise IncidentError("cannot merge an incident into itself")
    now = ctx.clock()
    with ctx.db.session() as db:
        target, source = load(db, target_id), load(db, source_id)
        if "merged" in (target.status, source.status):
            raise IncidentError("a merged incident cannot take part in another merge")
        for model in (AlertRecord, TimelineEntry, ResponseAction):
            db.execute(update(model).where(model.incident_id == source_id).values(incident_id=target_id))
        source.status, source.merged_into, source.alert_count = "merged", target_id, 0
        db.flush()
        _recompute(db, target)
        note(db, target_id, now, who.username, "action", f"merged incident #{source_id} into this one")
        note(db, source_id, now, who.username, "action", f"merged into incident #{target_id}")
    audit.record_by(ctx, who, "incident_merged", f"incident:{target_id}", f"source=#{source_id}")


def _sibling(original: Incident, now: datetime) -> Incident:
    """A new incident for the same entity and category (its figures come from its alerts)."""
    return Incident(
        kind=original.kind,
        entity_type=original.entity_type,
        entity_value=original.entity_value,
        category=original.category,
        title=f"{original.title} (split)"[:512],
        status="new",
        severity="low",
        first_seen=original.first_seen,
        last_seen=original.last_seen,
        created_at=now,
        alert_count=0,
    )


def split(ctx: AppContext, who: Principal, incident_id: int, alert_ids: list[str]) -> int:
    """Move the chosen alerts into a new incident (same entity and category); returns its id."""
    now = ctx.clock()
    with ctx.db.session() as db:
        original = load(db, incident_id)
        chosen = set(
            db.scalars(
                select(AlertRecord.id).where(
                    AlertRecord.incident_id == incident_id, AlertRecord.id.in_(alert_ids[:1000])
                )
            )
        )
        if not chosen or len(chosen) >= original.alert_count:
            raise IncidentError("choose some, but not all, of the incident's alerts")
        new = _sibling(original, now)
        db.add(new)
        db.flush()
        db.execute(update(AlertRecord).where(AlertRecord.id.in_(chosen)).values(incident_id=new.id))
        db.flush()
        _recompute(db, new)
        _recompute(db, original)
        text = f"split {len(chosen)} alerts into incident #{new.id}"
        note(db, incident_id, now, who.username, "action", text)
        note(db, new.id, now, who.username, "action", f"split from incident #{incident_id}")
        new_id = new.id
    audit.record_by(
        ctx, who, "incident_split", f"incident:{incident_id}", f"new=#{new_id} alerts={len(chosen)}"
    )
    return new_id
