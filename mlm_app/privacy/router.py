"""/account/privacy: download my data, erase my account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from mlm_app.accounts.events import auth_event
from mlm_app.accounts.models import User
from mlm_app.accounts.sessions import COOKIE
from mlm_app.db import utcnow
from mlm_app.deps import CurrentUser, DbSession, StepUpUser
from mlm_app.events import emit
from mlm_app.privacy import service
from mlm_app.web.templating import redirect, render

router = APIRouter()


@router.get("/account/privacy")
def privacy_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "privacy/privacy.html", {})


@router.get("/account/privacy/export")
def export(request: Request, user: CurrentUser, db: DbSession) -> Response:
    doc = service.export(db, db.get(User, user.id), request.app.state.keys)  # type: ignore[arg-type]
    emit(request, "mlm.audit", "data_exported", fields={
        "mlm.target.id": user.id, "mlm.export.records": service.count_records(doc)})
    return JSONResponse(doc, headers={"Content-Disposition": 'attachment; filename="my-data.json"'})


@router.post("/account/privacy/erase")
def erase(request: Request, user: StepUpUser, db: DbSession,
          confirm: Annotated[str, Form(max_length=64)] = "") -> Response:
    if confirm != user.username:
        return render(request, "privacy/privacy.html", {"error": "Type your username to confirm."}, 400)
    if user.is_staff:
        return render(request, "privacy/privacy.html", {"error": "Staff accounts are removed by an admin."}, 400)
    row = db.get(User, user.id)
    service.erase(db, row, utcnow())  # type: ignore[arg-type]
    emit(request, "mlm.audit", "account_erased", fields={"mlm.target.id": user.id})
    auth_event(request, "session_revoked", None, mlm__target__id=user.id, mlm__auth__reason="account_erased")
    response = redirect("/login")
    response.delete_cookie(COOKIE)
    request.state.session_cookie_set = True
    return response
