"""Dashboard sessions and roles: each route's minimum role (every route classified), CSRF on every form,
session rotation after MFA, fixation, logout ends the session server-side."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from dash_kit import csrf_of
from fastapi.testclient import TestClient
from sec_dash import api_routes, page_csrf

from dashboard.analysts.service import create_analyst
from dashboard.security import SESSION_COOKIE

ROLES = ("viewer", "analyst", "responder", "admin")
PUBLIC = {"/health", "/login", "/login/mfa"}
# The least role each web route admits; a new route must be classified here (deny by default).
MINIMUM = {
    "/": "viewer",
    "/overview": "viewer",
    "/overview/panel": "viewer",
    "/alerts": "viewer",
    "/alerts/rows": "viewer",
    "/incidents": "viewer",
    "/incidents/rows": "viewer",
    "/incidents/{incident_id}": "viewer",
    "/incidents/{incident_id}/investigate": "viewer",
    "/incidents/{incident_id}/report.{fmt}": "viewer",
    "/search": "viewer",
    "/rules": "viewer",
    "/rules/state.json": "viewer",
    "/logout": "viewer",
    "/incidents/{incident_id}/status": "analyst",
    "/incidents/{incident_id}/assign": "analyst",
    "/incidents/{incident_id}/severity": "analyst",
    "/incidents/{incident_id}/comment": "analyst",
    "/incidents/{incident_id}/merge": "analyst",
    "/incidents/{incident_id}/split": "analyst",
    "/rules/suppress": "analyst",
    "/responses": "responder",
    "/responses/{response_id}/confirm": "responder",
    "/responses/{response_id}/reject": "responder",
    "/responses/{response_id}/revert": "responder",
    "/rules/enabled": "admin",
    "/admin/analysts": "admin",
    "/admin/analysts/role": "admin",
    "/admin/audit": "admin",
}


def _web_routes(app: Any) -> list[tuple[str, str]]:
    return [
        (m, r.path)
        for r in api_routes(app)
        for m in sorted(r.methods)
        if r.path not in PUBLIC and not r.path.startswith("/api/")
    ]


def _url(path: str) -> str:
    return path.replace("{incident_id}", "1").replace("{response_id}", "1").replace("{fmt}", "md")


def test_every_web_route_is_classified(app: Any) -> None:
    paths = {p for _m, p in _web_routes(app)}
    assert paths == set(MINIMUM), paths ^ set(MINIMUM)


def test_roles_below_the_minimum_are_refused(app: Any, client_for: Any) -> None:
    routes = [(m, p) for m, p in _web_routes(app) if p != "/logout"]
    for rank, role in enumerate(ROLES[:-1]):
        client = client_for(role)
        token = page_csrf(client)
        for method, path in routes:
            if ROLES.index(MINIMUM[path]) <= rank:
                continue
            data = {"csrf_token": token} if method == "POST" else None
            r = client.request(method, _url(path), data=data, follow_redirects=False)
            assert r.status_code == 403, (role, method, path, r.status_code)


def test_api_tokens_below_the_minimum_are_refused(app: Any, ctx: Any) -> None:
    client = TestClient(app)
    viewer = {"Authorization": f"Bearer {ctx.tokens.create('api', 'v', 'viewer')}"}
    assert client.patch("/api/v1/incidents/1", json={"comment": "x"}, headers=viewer).status_code == 403
    session_only = client  # a browser session is not an API credential
    assert session_only.get("/api/v1/alerts").status_code == 401


def test_csrf_is_enforced_on_every_form(app: Any, client_for: Any) -> None:
    admin = client_for("admin")
    other = client_for("admin")
    foreign = page_csrf(other)
    posts = [p for m, p in _web_routes(app) if m == "POST"]
    assert len(posts) >= 13
    for path in posts:
        for data in ({}, {"csrf_token": ""}, {"csrf_token": "forged"}, {"csrf_token": foreign}):
            r = admin.post(_url(path), data=data, follow_redirects=False)
            assert r.status_code in (403, 422), (path, data, r.status_code)
    assert admin.get("/incidents").status_code == 200  # the session survived every refused form
    anon = TestClient(app)
    anon.get("/login")
    r = anon.post("/login", data={"username": "x", "password": "y", "csrf_token": "forged"})
    assert r.status_code == 403


def _password_step(app: Any, ctx: Any, clock: Any, name: str) -> tuple[TestClient, str, str]:
    password, secret = create_analyst(ctx, name, "viewer", password="correct horse battery staple")
    client = TestClient(app)
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/login/mfa"
    return client, secret, client.cookies.get(SESSION_COOKIE) or ""


def test_the_session_token_changes_after_mfa(app: Any, ctx: Any, clock: Any) -> None:
    client, secret, half = _password_step(app, ctx, clock, "rita.rotate")
    page = client.get("/login/mfa")
    r = client.post(
        "/login/mfa",
        data={"code": pyotp.TOTP(secret).at(clock()), "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    full = r.cookies.get(SESSION_COOKIE)
    assert r.status_code == 303 and full and full != half
    stale = TestClient(app, cookies={SESSION_COOKIE: half})  # the half-done token opens nothing
    assert stale.get("/incidents", follow_redirects=False).headers["location"] == "/login"


def test_a_planted_session_cookie_is_ignored(app: Any, ctx: Any, clock: Any) -> None:
    planted = TestClient(app, cookies={SESSION_COOKIE: "attacker-chosen"})
    assert planted.get("/incidents", follow_redirects=False).status_code == 303
    password, _secret = create_analyst(ctx, "fred.fixed", "viewer", password="correct horse battery staple")
    page = planted.get("/login")
    r = planted.post(
        "/login",
        data={"username": "fred.fixed", "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.cookies.get(SESSION_COOKIE) not in (None, "attacker-chosen")


def test_logout_ends_the_session_server_side(app: Any, client_for: Any) -> None:
    client = client_for("viewer")
    token = client.cookies.get(SESSION_COOKIE)
    assert (
        client.post("/logout", data={"csrf_token": page_csrf(client)}, follow_redirects=False).status_code
        == 303
    )
    replay = TestClient(app, cookies={SESSION_COOKIE: token})
    r = replay.get("/incidents", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert re.search(r"HttpOnly", client.get("/login").headers.get("set-cookie", ""), re.IGNORECASE)
