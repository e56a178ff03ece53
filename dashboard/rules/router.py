"""The rules page and its forms (enable/disable: admin; suppression: analyst), all audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from dashboard.deps import AdminPost, AnalystPost, Ctx, Viewer
from dashboard.rules import service
from dashboard.rules.state import state_document
from dashboard.web import redirect, render

router = APIRouter(include_in_schema=False)
RuleId = Annotated[str, Form(max_length=128)]


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, ctx: Ctx, who: Viewer) -> HTMLResponse:
    rows, problems = service.rule_rows(ctx)
    return render(request, "rules/list.html", rules=rows, problems=problems)


@router.get("/rules/state.json")
def rules_state(ctx: Ctx, who: Viewer) -> JSONResponse:
    """The state detectors read (also written to data_dir/rule_state.json and /api/v1/rules/state)."""
    return JSONResponse(state_document(ctx))


@router.post("/rules/enabled")
def post_enabled(
    ctx: Ctx, who: AdminPost, rule_id: RuleId, enabled: Annotated[str, Form()] = ""
) -> RedirectResponse:
    try:
        service.set_enabled(ctx, who, rule_id, enabled == "on")
    except service.RuleError:
        pass
    return redirect("/rules")


@router.post("/rules/suppress")
def post_suppress(
    ctx: Ctx,
    who: AnalystPost,
    rule_id: RuleId,
    minutes: Annotated[int, Form()] = 0,
    entity: Annotated[str, Form(max_length=256)] = "",
    reason: Annotated[str, Form(max_length=512)] = "",
) -> RedirectResponse:
    try:
        service.suppress(ctx, who, rule_id, minutes, entity.strip(), reason)
    except service.RuleError:
        pass
    return redirect("/rules")
