"""The event search page (audited: searching events is reading data)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dashboard.analysts import audit
from dashboard.deps import Ctx, Viewer
from dashboard.search import service
from dashboard.web import render

router = APIRouter(include_in_schema=False)


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    ctx: Ctx,
    who: Viewer,
    q: str = "",
    range: str = "all",
    start: str = "",
    end: str = "",
    cursor: str = "",
) -> HTMLResponse:
    range_key = range if range in service.RANGES else "all"
    result = service.search(ctx, q[:2000], range_key, start[:40], end[:40], cursor[:100] or None)
    if q or start or end:
        audit.record_by(ctx, who, "events_searched", detail=q[:500])
    return render(request, "search/search.html", r=result, ranges=list(service.RANGES))
