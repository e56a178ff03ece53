"""Second-factor pages: verify at sign-in, enrol, and step up before sensitive actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from mlm_app.accounts import mfa, sessions
from mlm_app.accounts.auth import count_failure
from mlm_app.accounts.events import auth_event
from mlm_app.accounts.models import AuthSession, User
from mlm_app.accounts.router import after_auth_target, set_session_cookie
from mlm_app.db import utcnow
from mlm_app.deps import CurrentUser, DbSession
from mlm_app.errors import NotAuthenticated
from mlm_app.web.templating import redirect, render, safe_next

router = APIRouter()
Field = Annotated[str, Form(max_length=64)]
MAX_MFA_FAILURES = 5  # then the half-open session dies and the password step starts over


def _session_user(request: Request, db: DbSession) -> tuple[User, AuthSession]:
    """The user of the current session, fully or half signed in, loaded in this request's db."""
    user = request.state.user or request.state.pending_user
    current = request.state.auth_session
    if user is None or current is None:
        raise NotAuthenticated()
    row, auth = db.get(User, user.id), db.get(AuthSession, current.id)
    if row is None or auth is None:
        raise NotAuthenticated()
    return row, auth


def _check_factor(request: Request, db: DbSession, user: User, code: str, recovery_code: str) -> str | None:
    """The method that succeeded (`totp` or `recovery_code`), or None."""
    now = utcnow()
    if recovery_code:
        return "recovery_code" if mfa.use_recovery_code(db, user, recovery_code, request.app.state.keys, now) else None
    return "totp" if mfa.verify_totp(user, code, request.app.state.keys, now) else None


@router.get("/mfa")
def mfa_page(request: Request, next: str = "/") -> Response:
    if request.state.pending_user is None:
        return redirect(safe_next(next) if request.state.user else "/login")
    return render(request, "accounts/mfa.html", {"action": "/mfa", "next": safe_next(next)})


@router.post("/mfa")
def mfa_submit(request: Request, db: DbSession, code: Field = "", recovery_code: Field = "",
               next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    user, auth = _session_user(request, db)
    if auth.mfa_passed and not user.must_reenrol_mfa:
        return redirect(after_auth_target(user, next))
    if not user.mfa_enabled or user.must_reenrol_mfa:
        return redirect("/mfa/setup")
    method = _check_factor(request, db, user, code, recovery_code)
    now = utcnow()
    if method is None:
        auth.mfa_failures += 1
        auth_event(request, "mfa_verify", user, outcome="failure",
                   mlm__auth__method="recovery_code" if recovery_code else "totp")
        locked = count_failure(db, user, "failed_mfa", request.app.state.settings, now, "too_many_mfa_failures")
        if locked:
            auth_event(request, "account_locked", user, mlm__auth__lock_reason="too_many_mfa_failures")
        if locked or auth.mfa_failures >= MAX_MFA_FAILURES:
            sessions.revoke(auth, now)
            auth_event(request, "session_revoked", user, mlm__auth__reason="too_many_mfa_failures")
            db.commit()
            return redirect("/login")
        db.commit()
        return render(request, "accounts/mfa.html", {"action": "/mfa", "next": safe_next(next),
                      "error": "That code did not work."}, 401)
    auth.mfa_passed, auth.step_up_at, auth.mfa_failures = True, now, 0
    user.failed_mfa = 0
    token = sessions.rotate(auth, now)  # privilege changed: new token
    auth_event(request, "mfa_verify", user, mlm__auth__method=method)
    response = redirect(after_auth_target(user, next))
    set_session_cookie(request, response, token)
    return response


@router.get("/mfa/setup")
def setup_page(request: Request, db: DbSession) -> Response:
    user, auth = _session_user(request, db)
    if user.mfa_enabled and not user.must_reenrol_mfa:
        return redirect("/account/security")  # replacing a factor needs disabling it first (step-up)
    keys = request.app.state.keys
    secret = mfa.start_enrolment(user, keys)
    uri = mfa.provisioning_uri(secret, user.username, request.app.state.settings.mfa_issuer)
    return render(request, "accounts/mfa_setup.html",
                  {"secret": secret, "uri": uri, "required": not auth.mfa_passed})


@router.post("/mfa/setup")
def setup_submit(request: Request, db: DbSession, code: Field = "") -> Response:
    user, auth = _session_user(request, db)
    if user.mfa_enabled and not user.must_reenrol_mfa:
        return redirect("/account/security")
    now = utcnow()
    codes = mfa.confirm_enrolment(db, user, code, request.app.state.keys, now)
    if codes is None:
        db.commit()
        return render(request, "accounts/mfa.html", {"action": "/mfa/setup", "next": "/",
                      "heading": "That code did not match: start again", "error": "Code did not match."}, 400)
    auth.mfa_passed, auth.step_up_at = True, now
    token = sessions.rotate(auth, now)
    auth_event(request, "mfa_enrolled", user, mlm__auth__method="totp")
    response = render(request, "accounts/recovery_codes.html",
                      {"codes": codes, "next": after_auth_target(user, "/")})
    set_session_cookie(request, response, token)
    return response


@router.get("/account/step-up")
def step_up_page(request: Request, user: CurrentUser, next: str = "/") -> Response:
    if not user.mfa_enabled:
        return render(request, "error.html", {"title": "Two-factor sign-in needed",
                      "detail": "Turn on two-factor sign-in (Security page) before this action."}, 403)
    return render(request, "accounts/mfa.html", {"action": "/account/step-up", "next": safe_next(next),
                  "heading": "Confirm it is you"})


@router.post("/account/step-up")
def step_up_submit(request: Request, _user: CurrentUser, db: DbSession, code: Field = "",
                   recovery_code: Field = "", next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    user, auth = _session_user(request, db)
    method = _check_factor(request, db, user, code, recovery_code)
    kind = "recovery_code" if recovery_code else "totp"
    if method is None:
        auth_event(request, "mfa_verify", user, outcome="failure", mlm__auth__method=kind,
                   mlm__auth__step_up=True)
        db.commit()
        return render(request, "accounts/mfa.html", {"action": "/account/step-up", "next": safe_next(next),
                      "heading": "Confirm it is you", "error": "That code did not work."}, 401)
    auth.step_up_at = utcnow()
    auth_event(request, "mfa_verify", user, mlm__auth__method=method, mlm__auth__step_up=True)
    return redirect(safe_next(next))
