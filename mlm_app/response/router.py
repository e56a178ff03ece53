"""POST /api/admin/response: bearer-authenticated, audited response actions from the SIEM."""

from __future__ import annotations

import hmac
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from mlm_app.db import utcnow
from mlm_app.events import emit
from mlm_app.response import service
from mlm_app.response.schemas import ACTIONS, ResponseRequest

router = APIRouter()


def _authorized(request: Request) -> bool:
    """Constant-time bearer check; with no token configured the API refuses everyone."""
    expected = request.app.state.settings.response_token
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(token.encode(), expected.encode())


def _audit(request: Request, req: ResponseRequest, outcome: str, status: int) -> None:
    emit(request, "mlm.audit", "response_action", outcome=outcome, fields={
        "mlm.response.action": req.action, "mlm.target.id": req.target, "mlm.response.reason": req.reason[:500],
        "mlm.response.request_id": req.request_id, "mlm.response.status": status})


@router.post("/api/admin/response")
async def respond(request: Request) -> JSONResponse:
    """Authenticate first (before even parsing the body), then validate, act and audit."""
    if not _authorized(request):
        emit(request, "mlm.audit", "access_denied", outcome="failure", fields={"url.path": request.url.path})
        return JSONResponse({"detail": "invalid response token"}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        body = ResponseRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        errors = [{"loc": e["loc"], "msg": e["msg"]} for e in exc.errors(include_input=False)]
        return JSONResponse({"detail": errors}, status_code=422)
    return await run_in_threadpool(_respond, request, body)


def _respond(request: Request, body: ResponseRequest) -> JSONResponse:
    with request.app.state.db_factory() as db:
        return _act(request, body, db)


def _act(request: Request, body: ResponseRequest, db: Session) -> JSONResponse:
    if body.action not in ACTIONS:
        _audit(request, body, "failure", 422)
        return JSONResponse({"detail": f"unknown action; one of {', '.join(ACTIONS)}"}, status_code=422)
    try:
        settings = request.app.state.settings
        outcome = service.perform(db, body, utcnow(), request, Path(settings.data_dir) / "outbox",
                                  (settings.public_url or "").rstrip("/"))
    except service.UnknownTarget:
        db.rollback()
        _audit(request, body, "failure", 404)
        return JSONResponse({"detail": "unknown target"}, status_code=404)
    db.commit()
    for dataset, action, fields in outcome.events:
        emit(request, dataset, action, fields=fields)
    _audit(request, body, "success", 200)
    return JSONResponse({"status": "done", "action": body.action, "target": outcome.revert["target"]
                         if outcome.revert else body.target, "revert": outcome.revert})
