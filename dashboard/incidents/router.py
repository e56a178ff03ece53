"""Incident pages: list, detail with timeline, workflow forms, investigation and report export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from dashboard.analysts import audit
from dashboard.deps import AnalystPost, Ctx, FormRowId, RowId, Viewer
from dashboard.incidents import export, investigation, merge, service, timeline
from dashboard.incidents.schemas import STATUSES, IncidentFilter
from dashboard.settings import SEVERITY_ORDER
from dashboard.web import redirect, render

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=4000)]
ERRORS = {"invalid": "That change is not allowed."}


def _filter(
    status: str = "open",
    severity: str = "",
    category: str = "",
    entity: str = "",
    assignee: str = "",
    kind: str = "",
    page: int = 1,
) -> IncidentFilter:
    """The list filter from the query string, bounded (shared by the page and its live rows)."""
    return IncidentFilter(
        status[:20],
        severity[:10],
        category[:64],
        entity[:256],
        assignee[:64],
        kind[:16],
        max(1, min(page, 100_000)),
    )


QueryFilter = Annotated[IncidentFilter, Depends(_filter)]


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, ctx: Ctx, who: Viewer, f: QueryFilter) -> HTMLResponse:
    return render(
        request,
        "incidents/list.html",
        page=service.list_incidents(ctx, f),
        statuses=STATUSES,
        severities=SEVERITY_ORDER,
        query=request.url.query,
    )


@router.get("/incidents/rows", response_class=HTMLResponse)
def incident_rows(request: Request, ctx: Ctx, who: Viewer, f: QueryFilter) -> HTMLResponse:
    """The table body alone, polled by static/app.js for live updates."""
    return render(request, "incidents/_rows.html", page=service.list_incidents(ctx, f))


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, ctx: Ctx, who: Viewer, incident_id: RowId, error: str = "") -> Response:
    try:
        view = timeline.detail(ctx, incident_id)
    except service.IncidentError:
        return render(request, "error.html", status=404, message="No such incident.")
    return render(
        request,
        "incidents/detail.html",
        inc=view,
        error=ERRORS.get(error, ""),
        assignees=service.assignees(ctx),
        severities=SEVERITY_ORDER,
    )


@router.get("/incidents/{incident_id}/investigate", response_class=HTMLResponse)
def investigate_page(request: Request, ctx: Ctx, who: Viewer, incident_id: RowId) -> Response:
    try:
        view = investigation.investigate(ctx, incident_id)
    except service.IncidentError:
        return render(request, "error.html", status=404, message="No such incident.")
    audit.record_by(ctx, who, "incident_investigated", f"incident:{incident_id}")
    return render(request, "incidents/investigate.html", inv=view)


@router.get("/incidents/{incident_id}/report.{fmt}")
def report(request: Request, ctx: Ctx, who: Viewer, incident_id: RowId, fmt: str) -> Response:
    if fmt not in ("md", "html"):
        return PlainTextResponse("unknown format", status_code=404)
    try:
        view = timeline.detail(ctx, incident_id)
    except service.IncidentError:
        return PlainTextResponse("no such incident", status_code=404)
    audit.record_by(ctx, who, "incident_report_exported", f"incident:{incident_id}", fmt)
    name = f"incident-{incident_id}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "md":
        return PlainTextResponse(
            export.markdown(view), media_type="text/markdown; charset=utf-8", headers=disposition
        )
    response = render(request, "incidents/report.html", inc=view)
    response.headers.update(disposition)
    return response


def _back(incident_id: int, ok: bool) -> RedirectResponse:
    return redirect(f"/incidents/{incident_id}" + ("" if ok else "?error=invalid"))


@router.post("/incidents/{incident_id}/status")
def post_status(ctx: Ctx, who: AnalystPost, incident_id: RowId, status: Field) -> RedirectResponse:
    return _run(incident_id, lambda: service.change_status(ctx, who, incident_id, status))


@router.post("/incidents/{incident_id}/assign")
def post_assign(
    ctx: Ctx, who: AnalystPost, incident_id: RowId, assignee: Annotated[str, Form(max_length=64)] = ""
) -> RedirectResponse:
    return _run(incident_id, lambda: service.assign(ctx, who, incident_id, assignee))


@router.post("/incidents/{incident_id}/severity")
def post_severity(ctx: Ctx, who: AnalystPost, incident_id: RowId, severity: Field) -> RedirectResponse:
    return _run(incident_id, lambda: service.set_severity(ctx, who, incident_id, severity))


@router.post("/incidents/{incident_id}/comment")
def post_comment(ctx: Ctx, who: AnalystPost, incident_id: RowId, text: Field) -> RedirectResponse:
    return _run(incident_id, lambda: service.comment(ctx, who, incident_id, text))


@router.post("/incidents/{incident_id}/merge")
def post_merge(ctx: Ctx, who: AnalystPost, incident_id: RowId, source_id: FormRowId) -> RedirectResponse:
    return _run(incident_id, lambda: merge.merge(ctx, who, incident_id, source_id))


@router.post("/incidents/{incident_id}/split")
def post_split(
    ctx: Ctx, who: AnalystPost, incident_id: RowId, alert_ids: Annotated[list[str] | None, Form()] = None
) -> RedirectResponse:
    if alert_ids is None:
        alert_ids = []
    try:
        new_id = merge.split(ctx, who, incident_id, alert_ids)
    except service.IncidentError:
        return _back(incident_id, False)
    return redirect(f"/incidents/{new_id}")


def _run(incident_id: int, change: object) -> RedirectResponse:
    try:
        change()  # type: ignore[operator]
    except service.IncidentError:
        return _back(incident_id, False)
    return _back(incident_id, True)
