"""Security center pages: /account/security and its forms (every POST redirects with 303)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from mlm_app.accounts import mfa, sessions
from mlm_app.accounts.events import auth_event
from mlm_app.accounts.models import User
from mlm_app.center import service
from mlm_app.db import utcnow
from mlm_app.deps import CurrentUser, DbSession, StepUpUser
from mlm_app.events import emit
from mlm_app.web.templating import redirect, render

router = APIRouter()
MESSAGES = {"password": "Password changed; your other sessions were signed out.",
            "revoked": "Session signed out.", "others": "All your other sessions were signed out.",
            "reported": "Thank you: our security team received your report.",
            "mfa_off": "Two-factor sign-in is off.", "updated": "Saved."}


def _page(request: Request, user: User, db: DbSession, status: int = 200, **extra: object) -> Response:
    now = utcnow()
    current = request.state.auth_session
    ctx = {"sessions": service.session_views(db, user.id, current.id if current else None, now),
           "signins": service.signin_views(db, user.id), "devices": service.device_views(db, user.id),
           "mfa_enabled": user.mfa_enabled,
           "codes_left": service.recovery_codes_left(db, user.id), "categories": service.REPORT_CATEGORIES,
           "staff": user.is_staff, **extra}
    return render(request, "center/security.html", ctx, status)

# Session ids are 64-bit database integers: a larger number is a 422, not an OverflowError (500).
SessionId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/account/security")
def security_page(request: Request, user: CurrentUser, db: DbSession, changed: str = "") -> Response:
    return _page(request, user, db, message=MESSAGES.get(changed))


@router.post("/account/sessions/{session_id}/revoke")
def revoke_session(request: Request, session_id: SessionId, user: CurrentUser, db: DbSession) -> Response:
    service.revoke_own_session(db, user, session_id, utcnow())
    auth_event(request, "session_revoked", user, mlm__auth__reason="user_signout")
    return redirect("/account/security?changed=revoked")


@router.post("/account/sessions/revoke-others")
def revoke_others(request: Request, user: CurrentUser, db: DbSession) -> Response:
    count = sessions.revoke_all(db, user.id, utcnow(), keep_id=request.state.auth_session.id)
    if count:
        auth_event(request, "session_revoked", user, mlm__auth__reason="user_signout",
                   mlm__session__count=count)
    return redirect("/account/security?changed=others")


@router.post("/account/mfa/disable")
def disable_mfa(request: Request, user: StepUpUser, db: DbSession) -> Response:
    if user.is_staff:
        return _page(request, user, db, error="Staff accounts must keep two-factor sign-in.", status=400)
    row = db.get(User, user.id)
    mfa.disable(db, row)  # type: ignore[arg-type]
    auth_event(request, "mfa_disabled", user)
    return redirect("/account/security?changed=mfa_off")


@router.post("/account/mfa/recovery-codes")
def regenerate_codes(request: Request, user: StepUpUser, db: DbSession) -> Response:
    codes = mfa.new_recovery_codes(db, db.get(User, user.id), request.app.state.keys)  # type: ignore[arg-type]
    auth_event(request, "mfa_enrolled", user, mlm__auth__method="recovery_code")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/account/security"})


@router.post("/account/report")
def report(request: Request, user: CurrentUser, db: DbSession,
           category: Annotated[str, Form(max_length=32)] = "",
           message: Annotated[str, Form(max_length=4000)] = "") -> Response:
    try:
        filed = service.file_report(db, user, category, message, utcnow())
    except service.ReportError as exc:
        return _page(request, user, db, error=str(exc), status=400)
    emit(request, "mlm.audit", "security_report", fields={
        "mlm.report.id": filed.id, "mlm.report.category": filed.category, "message": filed.message})
    return redirect("/account/security?changed=reported")
