"""The overview page and its live fragment."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dashboard.deps import Ctx, Viewer
from dashboard.overview.service import overview
from dashboard.web import render

router = APIRouter(include_in_schema=False)


@router.get("/overview", response_class=HTMLResponse)
def overview_page(request: Request, ctx: Ctx, who: Viewer) -> HTMLResponse:
    return render(request, "overview/overview.html", o=overview(ctx))


@router.get("/overview/panel", response_class=HTMLResponse)
def overview_panel(request: Request, ctx: Ctx, who: Viewer) -> HTMLResponse:
    return render(request, "overview/_panel.html", o=overview(ctx))
