"""Sign in, sign out, home page and password change (thin: logic lives in auth/sessions/service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from mlm_app.accounts import auth, sessions
from mlm_app.accounts.events import auth_event, session_id
from mlm_app.accounts.models import AuthSession, User
from mlm_app.accounts.sessions import COOKIE, ClientInfo
from mlm_app.db import utcnow
from mlm_app.deps import CurrentUser, DbSession
from mlm_app.security.passwords import WeakPasswordError, check_policy, hash_password, verify_password
from mlm_app.web.templating import redirect, render, safe_next

router = APIRouter()
Field = Annotated[str, Form(max_length=4096)]


def client_info(request: Request) -> ClientInfo:
    return ClientInfo(request.state.client_ip, request.headers.get("user-agent", "")[:512],
                      request.state.device_id)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """Put a new session token on the response (the middleware will not touch it again)."""
    settings = request.app.state.settings
    response.set_cookie(COOKIE, token, httponly=True, secure=settings.secure_cookies, samesite="lax",
                        max_age=int(settings.session_hours * 3600))
    request.state.session_cookie_set = True


def after_auth_target(user: User, next_url: str) -> str:
    """Where a fully signed-in user goes next (a forced password change comes first)."""
    return "/account/password" if user.must_reset_password else safe_next(next_url)


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if request.state.user is not None:
        return redirect(safe_next(next))
    return render(request, "accounts/login.html", {"next": safe_next(next)})


@router.post("/login")
def login_submit(request: Request, db: DbSession, username: Field = "", password: Field = "",
                 next: Field = "/") -> Response:
    if not request.app.state.login_limiter.hit(request.state.client_ip):
        return render(request, "accounts/login.html", {"next": safe_next(next),
                      "error": "Too many sign-in attempts. Wait a minute and try again."}, 429)
    now = utcnow()
    result = auth.check_password(db, username, password, request.app.state.settings, now)
    client = client_info(request)
    if result.user is not None:
        auth.record_signin(db, result.user, client.ip, client.user_agent, client.device_id,
                           "success" if result.ok else "failure", result.reason, now)
    if not result.ok:
        return _login_failed(request, db, result, username, next)
    user = result.user
    assert user is not None
    _end_previous_session(request, db, now)
    token, row = sessions.open_session(db, user.id, client, mfa_passed=not result.mfa_required,
                                       settings=request.app.state.settings, now=now)
    auth_event(request, "login", user, mlm__auth__mfa_required=result.mfa_required,
               mlm__session__id=session_id(request, row.id))
    if not result.mfa_required:
        target = after_auth_target(user, next)
    elif user.mfa_enabled and not user.must_reenrol_mfa:
        target = f"/mfa?next={safe_next(next)}"
    else:
        target = "/mfa/setup"
    response = redirect(target)
    set_session_cookie(request, response, token)
    return response


def _login_failed(request: Request, db: DbSession, result: auth.LoginResult, username: str,
                  next_url: str) -> Response:
    auth_event(request, "login", result.user, outcome="failure", username=username,
               mlm__auth__failure_reason=result.reason)
    if result.locked_now and result.user is not None:
        auth_event(request, "account_locked", result.user, mlm__auth__lock_reason="too_many_failures")
    db.commit()  # keep the failure counter even though the response is an error page
    return render(request, "accounts/login.html", {"next": safe_next(next_url),
                  "error": "Invalid username or password, or the account cannot sign in now."}, 401)


def _end_previous_session(request: Request, db: DbSession, now) -> None:  # type: ignore[no-untyped-def]
    """A new sign-in never reuses a session id that existed before it (no session fixation)."""
    old = request.state.auth_session
    if old is not None:
        row = db.get(AuthSession, old.id)
        if row is not None:
            sessions.revoke(row, now)


@router.post("/logout")
def logout(request: Request, db: DbSession) -> Response:
    current = request.state.auth_session
    if current is not None:
        row = db.get(AuthSession, current.id)
        if row is not None:
            sessions.revoke(row, utcnow())
        user = request.state.user or request.state.pending_user
        auth_event(request, "logout", user)
    response = redirect("/login")
    response.delete_cookie(COOKIE, httponly=True, secure=request.app.state.settings.secure_cookies,
                           samesite="lax")
    request.state.session_cookie_set = True
    return response


@router.get("/")
def home(request: Request, user: CurrentUser) -> Response:
    links = getattr(request.app.state, "home_links", [])
    visible = [link for link in links if not link.get("roles") or user.role in link["roles"]]
    return render(request, "accounts/home.html", {"links": visible})


@router.get("/account/password")
def password_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "accounts/password.html", {"forced": user.must_reset_password})


@router.post("/account/password")
def password_submit(request: Request, user: CurrentUser, db: DbSession, current_password: Field = "",
                    new_password: Field = "") -> Response:
    row = db.get(User, user.id)
    assert row is not None
    ctx = {"forced": row.must_reset_password}
    if not verify_password(row.password_hash, current_password):
        auth_event(request, "password_changed", row, outcome="failure")
        return render(request, "accounts/password.html", {**ctx, "error": "Current password is wrong."}, 400)
    try:
        check_policy(new_password, row.username)
    except WeakPasswordError as exc:
        return render(request, "accounts/password.html", {**ctx, "error": str(exc)}, 400)
    now = utcnow()
    row.password_hash = hash_password(new_password)
    row.password_changed_at = now
    was_forced, row.must_reset_password = row.must_reset_password, False
    sessions.revoke_all(db, row.id, now, keep_id=request.state.auth_session.id)
    auth_row = db.get(AuthSession, request.state.auth_session.id)
    token = sessions.rotate(auth_row, now)  # type: ignore[arg-type]
    auth_event(request, "password_reset_completed" if was_forced else "password_changed", row)
    response = redirect("/account/security?changed=password")
    set_session_cookie(request, response, token)
    return response
