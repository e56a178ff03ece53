"""Response forms: confirm, reject and revert (responder role); a list of pending and recent responses."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from dashboard.deps import Ctx, Responder, ResponderPost, RowId
from dashboard.incidents.timeline import response_view
from dashboard.models import ResponseAction
from dashboard.response import service
from dashboard.web import redirect, render

router = APIRouter(include_in_schema=False)


def _incident_page(ctx: Ctx, response_id: int) -> str:
    with ctx.db.session() as db:
        row = db.get(ResponseAction, response_id)
        return f"/incidents/{row.incident_id}" if row else "/responses"


@router.get("/responses", response_class=HTMLResponse)
def responses_page(request: Request, ctx: Ctx, who: Responder) -> HTMLResponse:
    with ctx.db.session() as db:
        rows = db.scalars(select(ResponseAction).order_by(ResponseAction.id.desc()).limit(200)).all()
        views = [(r.incident_id, response_view(r)) for r in rows]
    return render(request, "incidents/responses.html", responses=views)


def _act(ctx: Ctx, response_id: int, change: object) -> RedirectResponse:
    target = _incident_page(ctx, response_id)
    try:
        change()  # type: ignore[operator]
    except service.ResponseError:
        return redirect(target + "?error=invalid")
    return redirect(target)


@router.post("/responses/{response_id}/confirm")
def post_confirm(ctx: Ctx, who: ResponderPost, response_id: RowId) -> RedirectResponse:
    return _act(ctx, response_id, lambda: service.confirm(ctx, who, response_id))


@router.post("/responses/{response_id}/reject")
def post_reject(ctx: Ctx, who: ResponderPost, response_id: RowId) -> RedirectResponse:
    return _act(ctx, response_id, lambda: service.reject(ctx, who, response_id))


@router.post("/responses/{response_id}/revert")
def post_revert(ctx: Ctx, who: ResponderPost, response_id: RowId) -> RedirectResponse:
    return _act(ctx, response_id, lambda: service.revert(ctx, who, response_id))
