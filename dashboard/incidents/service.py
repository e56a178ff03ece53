"""Incident workflow: list, status changes, assignee, severity, comments, MTTA/MTTR."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from dashboard.analysts import audit
from dashboard.analysts.schemas import Principal
from dashboard.context import AppContext
from dashboard.incidents.schemas import (
    OPEN_STATUSES,
    STATUSES,
    TRANSITIONS,
    IncidentFilter,
    IncidentPage,
    IncidentRow,
    Metrics,
    duration_text,
)
from dashboard.models import Analyst, Incident, TimelineEntry
from dashboard.settings import SEVERITY_ORDER

PAGE_SIZE = 50
CLOSED = ("resolved", "false_positive")


class IncidentError(ValueError):
    """A refused incident change (unknown incident, illegal transition, bad value)."""


def _filtered(query: Select, f: IncidentFilter) -> Select:  # type: ignore[type-arg]
    if f.status == "open":
        query = query.where(Incident.status.in_(OPEN_STATUSES))
    elif f.status == "closed":
        query = query.where(Incident.status.in_(CLOSED))
    elif f.status in STATUSES or f.status == "merged":
        query = query.where(Incident.status == f.status)
    if f.severity in SEVERITY_ORDER:
        query = query.where(Incident.severity == f.severity)
    if f.category:
        query = query.where(Incident.category == f.category)
    if f.entity:
        query = query.where(Incident.entity_value == f.entity)
    if f.assignee:
        query = query.where(Incident.assignee == f.assignee)
    if f.kind:
        query = query.where(Incident.kind == f.kind)
    return query


def list_incidents(ctx: AppContext, f: IncidentFilter, size: int = PAGE_SIZE) -> IncidentPage:
    """One page of incidents, most recently active first."""
    page = max(1, f.page)
    with ctx.db.session() as db:
        total = db.scalar(_filtered(select(func.count(Incident.id)), f)) or 0
        rows = db.scalars(
            _filtered(select(Incident), f)
            .order_by(Incident.last_seen.desc(), Incident.id.desc())
            .offset((page - 1) * size)
            .limit(size)
        ).all()
        return IncidentPage([IncidentRow.of(r) for r in rows], total, page, max(1, -(-total // size)), f)


def load(db: Session, incident_id: int) -> Incident:
    incident = db.get(Incident, incident_id)
    if incident is None:
        raise IncidentError("no such incident")
    return incident


def get_row(ctx: AppContext, incident_id: int) -> IncidentRow:
    with ctx.db.session() as db:
        return IncidentRow.of(load(db, incident_id))


def note(db: Session, incident_id: int, now: datetime, who: str, kind: str, text: str) -> None:
    """Add a timeline entry (analyst actions, comments, responses)."""
    db.add(TimelineEntry(incident_id=incident_id, ts=now, kind=kind, actor=who[:64], text=text[:4000]))


def change_status(ctx: AppContext, who: Principal, incident_id: int, status: str) -> None:
    """Move through the workflow; the first move out of `new` is the acknowledgement (MTTA)."""
    now = ctx.clock()
    with ctx.db.session() as db:
        incident = load(db, incident_id)
        if status not in TRANSITIONS.get(incident.status, ()):
            raise IncidentError(f"cannot go from {incident.status} to {status}")
        previous, incident.status = incident.status, status
        if incident.acknowledged_at is None:
            incident.acknowledged_at = now
        incident.resolved_at = now if status in CLOSED else None
        note(db, incident_id, now, who.username, "action", f"status {previous} → {status}")
    audit.record_by(ctx, who, "incident_status_changed", f"incident:{incident_id}", f"{previous} -> {status}")


def assign(ctx: AppContext, who: Principal, incident_id: int, assignee: str) -> None:
    """Assign to an existing analyst (empty: unassign)."""
    now = ctx.clock()
    with ctx.db.session() as db:
        incident = load(db, incident_id)
        if assignee and db.scalar(select(Analyst.id).where(Analyst.username == assignee)) is None:
            raise IncidentError("no such analyst")
        incident.assignee = assignee or None
        note(db, incident_id, now, who.username, "action", f"assigned to {assignee or 'nobody'}")
    audit.record_by(ctx, who, "incident_assigned", f"incident:{incident_id}", assignee)


def set_severity(ctx: AppContext, who: Principal, incident_id: int, severity: str) -> None:
    """Override the computed severity (new alerts no longer raise it)."""
    if severity not in SEVERITY_ORDER:
        raise IncidentError("unknown severity")
    now = ctx.clock()
    with ctx.db.session() as db:
        incident = load(db, incident_id)
        previous, incident.severity, incident.severity_overridden = incident.severity, severity, True
        note(db, incident_id, now, who.username, "action", f"severity {previous} → {severity}")
    audit.record_by(
        ctx, who, "incident_severity_changed", f"incident:{incident_id}", f"{previous} -> {severity}"
    )


def comment(ctx: AppContext, who: Principal, incident_id: int, text: str) -> None:
    text = text.strip()
    if not text or len(text) > 4000:
        raise IncidentError("a comment is 1-4000 characters")
    with ctx.db.session() as db:
        load(db, incident_id)
        note(db, incident_id, ctx.clock(), who.username, "comment", text)
    audit.record_by(ctx, who, "incident_commented", f"incident:{incident_id}")


def metrics(ctx: AppContext) -> Metrics:
    """Open incidents by severity, and mean time to acknowledge / resolve over all incidents."""
    with ctx.db.session() as db:
        counts = dict(
            db.execute(
                select(Incident.severity, func.count())
                .where(Incident.status.in_(OPEN_STATUSES))
                .group_by(Incident.severity)
            ).all()
        )
        acked = db.execute(
            select(Incident.created_at, Incident.acknowledged_at).where(Incident.acknowledged_at.is_not(None))
        ).all()
        solved = db.execute(
            select(Incident.created_at, Incident.resolved_at).where(Incident.resolved_at.is_not(None))
        ).all()
    return Metrics(
        {s: counts.get(s, 0) for s in reversed(SEVERITY_ORDER)},
        duration_text(_mean(acked)),
        duration_text(_mean(solved)),
        len(acked),
        len(solved),
    )


def _mean(pairs: Sequence[Any]) -> float | None:
    if not pairs:
        return None
    return sum((b - a).total_seconds() for a, b in pairs) / len(pairs)


def assignees(ctx: AppContext) -> list[str]:
    with ctx.db.session() as db:
        return list(
            db.scalars(
                select(Analyst.username)
                .where(Analyst.active.is_(True), or_(Analyst.role != "viewer"))
                .order_by(Analyst.username)
            )
        )
