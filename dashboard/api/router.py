"""REST API v1 (token-authenticated with `api` tokens; the role comes from the token record)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from core.event import parse_timestamp
from core.store import EventQuery
from dashboard.alerts.service import list_alerts
from dashboard.analysts import audit
from dashboard.api.schemas import AlertList, EventPage, EventSearch, IncidentList, IncidentOut, IncidentPatch
from dashboard.deps import ApiAnalyst, ApiViewer, Ctx, RowId
from dashboard.incidents import service, timeline
from dashboard.incidents.schemas import IncidentFilter
from dashboard.rules.state import state_document
from dashboard.search.service import parse_query

router = APIRouter(prefix="/api/v1", tags=["v1"])
Text = Annotated[str, Query(max_length=256)]


@router.get("/alerts", response_model=AlertList)
def api_alerts(
    ctx: Ctx,
    who: ApiViewer,
    category: Text = "",
    severity: Text = "",
    cursor: Text = "",
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AlertList:
    page = list_alerts(ctx, category, severity, cursor or None, size)
    return AlertList(items=[a.to_api() for a in page.alerts], next_cursor=page.next_cursor)


@router.get("/incidents", response_model=IncidentList)
def api_incidents(
    ctx: Ctx,
    who: ApiViewer,
    status: Text = "open",
    severity: Text = "",
    category: Text = "",
    entity: Text = "",
    assignee: Text = "",
    kind: Text = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> IncidentList:
    result = service.list_incidents(
        ctx, IncidentFilter(status, severity, category, entity, assignee, kind, page)
    )
    return IncidentList(
        items=[r.to_api() for r in result.rows], total=result.total, page=result.page, pages=result.pages
    )


def _incident_out(ctx: Ctx, incident_id: int) -> IncidentOut:
    try:
        view = timeline.detail(ctx, incident_id)
    except service.IncidentError:
        raise HTTPException(404, "no such incident") from None
    return IncidentOut(
        incident=view.row.to_api(),
        alerts=[a.to_api() for a in view.alerts],
        timeline=[dataclasses.asdict(t) for t in view.timeline],
        responses=[dataclasses.asdict(r) for r in view.responses],
        mtta=view.mtta,
        mttr=view.mttr,
    )


@router.get("/incidents/{incident_id}", response_model=IncidentOut)
def api_incident(ctx: Ctx, who: ApiViewer, incident_id: RowId) -> IncidentOut:
    return _incident_out(ctx, incident_id)


@router.patch("/incidents/{incident_id}", response_model=IncidentOut)
def api_patch_incident(ctx: Ctx, who: ApiAnalyst, incident_id: RowId, patch: IncidentPatch) -> IncidentOut:
    """Change status, assignee, severity or add a comment (analyst role or higher)."""
    try:
        if patch.severity is not None:
            service.set_severity(ctx, who, incident_id, patch.severity)
        if patch.assignee is not None:
            service.assign(ctx, who, incident_id, patch.assignee)
        if patch.comment is not None:
            service.comment(ctx, who, incident_id, patch.comment)
        if patch.status is not None:
            service.change_status(ctx, who, incident_id, patch.status)
    except service.IncidentError as exc:
        status = 404 if "no such incident" in str(exc) else 409
        raise HTTPException(status, str(exc)) from None
    return _incident_out(ctx, incident_id)


@router.post("/events/search", response_model=EventPage)
def api_search(ctx: Ctx, who: ApiViewer, body: EventSearch) -> EventPage:
    """Search stored events: `q` like the search page, plus explicit exact-value filters."""
    filters, text = parse_query(body.q)
    merged: dict[str, list[Any]] = {**filters, **body.filters}
    try:
        query = EventQuery(
            start=parse_timestamp(body.start, "start") if body.start else None,
            end=parse_timestamp(body.end, "end") if body.end else None,
            filters=merged,
            text=text or None,
            size=body.size,
            cursor=body.cursor,
        )
        page = ctx.store.search_events(query)
        total = ctx.store.count_events(query)
    except ValueError as exc:
        raise HTTPException(422, f"bad search: {str(exc)[:200]}") from None
    audit.record_by(ctx, who, "events_searched", detail=body.q[:500])
    return EventPage(items=page.items, next_cursor=page.next_cursor, total=total)


@router.get("/rules/state")
def api_rule_state(ctx: Ctx, who: ApiViewer) -> JSONResponse:
    """Disabled rules and active suppressions, for detectors."""
    return JSONResponse(state_document(ctx))


@router.get("/openapi.json", include_in_schema=False)
def api_openapi(request: Request, who: ApiViewer) -> JSONResponse:
    return JSONResponse(request.app.openapi())
