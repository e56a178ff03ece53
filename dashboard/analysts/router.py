"""Login (password then TOTP), logout, analyst administration and the audit log page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from dashboard.analysts import audit, service
from dashboard.analysts.schemas import ROLES
from dashboard.deps import Admin, AdminPost, Ctx, Forbidden, ViewerPost
from dashboard.security import (
    PRE_COOKIE,
    SESSION_COOKIE,
    client_ip,
    new_token,
    pre_login_csrf,
    same,
    set_cookie,
)
from dashboard.security import user_agent as ua
from dashboard.web import redirect, render

router = APIRouter(include_in_schema=False)
ERRORS = {
    "invalid": "Invalid username, password or code.",
    "expired": "Login expired, please start again.",
    "locked": "Too many attempts; try again later.",
}
Text = Annotated[str, Form(max_length=1024)]


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, ctx: Ctx, error: str = "") -> HTMLResponse:
    nonce = request.cookies.get(PRE_COOKIE) or new_token()
    response = render(
        request, "analysts/login.html", error=ERRORS.get(error, ""), csrf=pre_login_csrf(ctx.secret, nonce)
    )
    set_cookie(response, PRE_COOKIE, nonce, ctx.settings.cookie_secure, max_age=3600)
    return response


@router.post("/login")
def login(request: Request, ctx: Ctx, username: Text, password: Text, csrf_token: Text) -> RedirectResponse:
    nonce = request.cookies.get(PRE_COOKIE, "")
    if not same(csrf_token, pre_login_csrf(ctx.secret, nonce)):
        raise Forbidden()
    ip, agent = client_ip(request), ua(request)
    try:
        token = service.check_password(ctx, username, password, ip)
    except service.AuthError as exc:
        audit.record(
            ctx, username[:64], "analyst_login", detail=str(exc), ip=ip, user_agent=agent, outcome="failure"
        )
        return redirect("/login?error=" + ("locked" if "locked" in str(exc) else "invalid"))
    response = redirect("/login/mfa")
    set_cookie(response, SESSION_COOKIE, token, ctx.settings.cookie_secure)
    return response


@router.get("/login/mfa", response_class=HTMLResponse)
def mfa_page(request: Request, ctx: Ctx, error: str = "") -> HTMLResponse:
    csrf = service.mfa_session_csrf(ctx, request.cookies.get(SESSION_COOKIE))
    if csrf is None:
        return redirect("/login?error=expired")  # type: ignore[return-value]
    return render(request, "analysts/mfa.html", error=ERRORS.get(error, ""), csrf=csrf)


@router.post("/login/mfa")
def mfa(
    request: Request, ctx: Ctx, code: Annotated[str, Form(max_length=16)], csrf_token: Text
) -> RedirectResponse:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not same(csrf_token, service.mfa_session_csrf(ctx, token)):
        return redirect("/login?error=expired")
    ip, agent = client_ip(request), ua(request)
    try:
        full, username = service.check_mfa(ctx, token, code)
    except service.AuthError as exc:
        audit.record(
            ctx, "-", "analyst_mfa_verify", detail=str(exc), ip=ip, user_agent=agent, outcome="failure"
        )
        return redirect("/login/mfa?error=invalid")
    audit.record(ctx, username, "analyst_login", ip=ip, user_agent=agent)
    response = redirect("/")
    set_cookie(response, SESSION_COOKIE, full, ctx.settings.cookie_secure)
    return response


@router.post("/logout")
def logout(request: Request, ctx: Ctx, who: ViewerPost) -> RedirectResponse:
    service.end_session(ctx, request.cookies.get(SESSION_COOKIE))
    audit.record_by(ctx, who, "analyst_logout")
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/admin/analysts", response_class=HTMLResponse)
def analysts_page(request: Request, ctx: Ctx, who: Admin) -> HTMLResponse:
    return render(request, "analysts/admin.html", analysts=service.list_analysts(ctx), roles=ROLES)


@router.post("/admin/analysts/role")
def change_role(
    ctx: Ctx, who: AdminPost, username: Text, role: Text, active: Annotated[str, Form()] = ""
) -> RedirectResponse:
    try:
        service.set_role(ctx, username, role, active == "on")
    except service.AnalystError:
        return redirect("/admin/analysts")
    audit.record_by(ctx, who, "analyst_role_changed", username, f"role={role} active={active == 'on'}")
    return redirect("/admin/analysts")


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, ctx: Ctx, who: Admin) -> HTMLResponse:
    return render(request, "analysts/audit.html", entries=audit.recent(ctx))
