"""An incident's full picture: alerts, evidence events (PII masked), analyst actions and responses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.event import format_timestamp
from dashboard.alerts.schemas import AlertView
from dashboard.context import AppContext
from dashboard.incidents.schemas import (
    TRANSITIONS,
    EventView,
    IncidentDetail,
    IncidentRow,
    ResponseView,
    TimelineItem,
    duration_text,
)
from dashboard.incidents.service import load
from dashboard.models import AlertRecord, ResponseAction, TimelineEntry
from dashboard.pii import flatten_doc, mask_value

MAX_ALERTS = 200
MAX_EVIDENCE = 200
HTTP_PART_CHARS = 160  # per query/body in a headline; the event's fields keep the whole value


def clip(text: str, limit: int = HTTP_PART_CHARS) -> str:
    """`text` cut to `limit` characters, marked when cut."""
    return text if len(text) <= limit else text[:limit] + f"… (+{len(text) - limit} chars)"


def event_view(doc: dict[str, Any]) -> EventView:
    """A masked display view of one stored event document."""
    flat = flatten_doc(doc)

    def get(name: str) -> str:
        value = flat.get(name)
        return "" if value is None else mask_value(name, value)

    fields = [(name, mask_value(name, value)) for name, value in sorted(flat.items())]
    return EventView(
        get("event.id"),
        get("@timestamp"),
        get("event.dataset"),
        get("event.action"),
        get("event.outcome"),
        get("user.name") or get("user.id"),
        get("source.ip"),
        fields,
        _http_line(get),
    )


def _http_line(get: Any) -> str:
    """The request an analyst needs to see an injection: method, path, query and body, clipped."""
    path, query, body = get("url.path"), get("url.query"), get("http.request.body.content")
    if not (path or query or body):
        return ""
    target = clip(path) + (f"?{clip(query)}" if query else "")
    line = " ".join(p for p in (get("http.request.method"), target) if p)
    return line + (f" body: {clip(body)}" if body else "")


def alert_view(r: AlertRecord) -> AlertView:
    return AlertView(
        r.id,
        format_timestamp(r.ts),
        r.rule_id,
        r.rule_name,
        r.category,
        r.severity,
        r.risk_score,
        r.entity_type,
        r.entity_value,
        r.summary,
        tuple(r.tags or ()),
        r.incident_id,
    )


def response_view(r: ResponseAction) -> ResponseView:
    return ResponseView(
        r.id,
        r.action,
        r.target,
        r.status,
        r.profile,
        duration_text(r.duration_seconds) if r.duration_seconds else "permanent",
        format_timestamp(r.created_at),
        r.actor,
        r.error,
        r.status == "done" and bool(r.revert_action),
    )


def detail(ctx: AppContext, incident_id: int) -> IncidentDetail:
    """Everything the incident page shows, as view models."""
    with ctx.db.session() as db:
        incident = load(db, incident_id)
        records = db.scalars(
            select(AlertRecord)
            .where(AlertRecord.incident_id == incident_id)
            .order_by(AlertRecord.ts.desc())
            .limit(MAX_ALERTS)
        ).all()
        entries = db.scalars(select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)).all()
        responses = db.scalars(
            select(ResponseAction)
            .where(ResponseAction.incident_id == incident_id)
            .order_by(ResponseAction.id)
        ).all()
        row = IncidentRow.of(incident)
        mtta = _since(incident.created_at, incident.acknowledged_at)
        mttr = _since(incident.created_at, incident.resolved_at)
        created, overridden = format_timestamp(incident.created_at), incident.severity_overridden
        alerts = [alert_view(r) for r in records]
        event_ids = [eid for r in reversed(records) for eid in (r.event_ids or [])]
        timeline = [TimelineItem(format_timestamp(e.ts), e.kind, e.actor, e.text) for e in entries]
        views = [response_view(r) for r in responses]
    timeline += [
        TimelineItem(a.ts, "alert", a.rule_name or a.rule_id, f"[{a.severity}] {a.summary}", a.id)
        for a in alerts
    ]
    timeline += [
        TimelineItem(e.ts, "evidence", e.user, _event_line(e), e.id) for e in evidence(ctx, event_ids)
    ]
    timeline.sort(key=lambda item: item.ts)
    return IncidentDetail(
        row, mtta, mttr, created, alerts, timeline, TRANSITIONS.get(row.status, ()), views, overridden
    )


def evidence(ctx: AppContext, event_ids: list[str]) -> list[EventView]:
    """The evidence events named by the alerts, from the store, oldest first."""
    unique = list(dict.fromkeys(event_ids))[-MAX_EVIDENCE:]
    try:
        docs = ctx.store.get_events(unique) if unique else []
    except Exception:  # noqa: BLE001 - a store outage shows an empty evidence list, not an error page
        docs = []
    return [event_view(d) for d in docs]


def _event_line(e: EventView) -> str:
    parts = [f"{e.dataset}/{e.action}", e.outcome, f"ip {e.ip}" if e.ip else "", e.http]
    return " ".join(p for p in parts if p)  # every part is masked already


def _since(start: Any, end: Any) -> str:
    return duration_text((end - start).total_seconds()) if start and end else "-"
