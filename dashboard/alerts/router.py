"""The alerts page and its live-update fragment."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dashboard.alerts import service
from dashboard.deps import Ctx, Viewer
from dashboard.web import render

router = APIRouter(include_in_schema=False)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request, ctx: Ctx, who: Viewer, category: str = "", severity: str = "", cursor: str = ""
) -> HTMLResponse:
    return render(request, "alerts/list.html", page=service.list_alerts(ctx, category, severity, cursor))


@router.get("/alerts/rows", response_class=HTMLResponse)
def alert_rows(
    request: Request, ctx: Ctx, who: Viewer, category: str = "", severity: str = ""
) -> HTMLResponse:
    """The table body alone, polled by static/app.js for live updates."""
    return render(request, "alerts/_rows.html", page=service.list_alerts(ctx, category, severity))
