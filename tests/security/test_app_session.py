"""MLM app sessions: a password alone is no step-up, fixation, rotation at sign-in, logout kills the
session server-side, CSRF on every state-changing route, deny by default for anonymous and wrong roles."""

from __future__ import annotations

import re
from typing import Any

from mlmapp_helpers import csrf, enrol_mfa, login, signed_in
from sec_dash import api_routes

from mlm_app.accounts.models import User
from mlm_app.accounts.sessions import COOKIE
from mlm_app.db import transaction

IBAN = "DE89370400440532013000"


def _bank(harness: Any, uid: str) -> Any:
    with transaction(harness.app.state.db_factory) as db:
        return db.get(User, uid).bank_fingerprint if hasattr(User, "bank_fingerprint") else None


def test_password_alone_is_not_a_step_up_for_bank_changes(harness: Any) -> None:
    client, _uid, _ = signed_in(harness, "pat.payee")  # a distributor without MFA, just signed in
    token = csrf(client, "/account/profile")
    r = client.post("/account/profile/bank", data={"account_number": IBAN, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].startswith("/account/step-up"), r.headers
    assert not harness.find("mlm.audit", "bank_account_changed")
    enrol_mfa(client)  # a second factor just now: the change goes through
    r = client.post(
        "/account/profile/bank", data={"account_number": IBAN, "csrf_token": csrf(client, "/account/profile")}
    )
    assert r.status_code == 303 and r.headers["location"] == "/account/profile?saved=1"
    assert harness.find("mlm.audit", "bank_account_changed")


def test_sign_in_rotates_the_session_and_ignores_a_planted_cookie(harness: Any) -> None:
    harness.add_user("fay.fixed")
    client = harness.client()
    client.cookies.set(COOKIE, "attacker-chosen-session-token", domain="testserver.local")
    r = login(client, "fay.fixed")
    issued = r.cookies.get(COOKIE)
    assert r.status_code == 303 and issued and issued != "attacker-chosen-session-token"
    again = login(harness.client("203.0.113.8"), "fay.fixed")
    assert again.status_code == 303 and again.cookies.get(COOKIE) not in (None, issued)


def test_logout_invalidates_the_session_server_side(harness: Any) -> None:
    client, _uid, _ = signed_in(harness, "lea.leaving")
    stolen = client.cookies.get(COOKIE)
    assert client.post("/logout", data={"csrf_token": csrf(client, "/")}).status_code == 303
    replay = harness.client("198.51.100.9")
    replay.cookies.set(COOKIE, stolen)
    r = replay.get("/account/security")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def _state_changing(app: Any) -> list[tuple[str, str]]:
    return [
        (m, re.sub(r"\{\w+\}", "1", r.path))
        for r in api_routes(app)
        for m in r.methods
        if m in ("POST", "PUT", "PATCH", "DELETE") and r.path != "/api/admin/response"
    ]


def test_csrf_is_enforced_on_every_state_changing_route(harness: Any) -> None:
    client, _uid, _ = signed_in(harness, "ada.admin", role="admin")
    routes = _state_changing(harness.app)
    assert len(routes) >= 20
    for method, path in routes:
        for data in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
            r = client.request(method, path, data=data)
            assert r.status_code == 403, (method, path, data, r.status_code)
    other = harness.client("198.51.100.2")  # another visitor's valid token is not ours
    foreign = csrf(other)
    for method, path in routes:
        assert client.request(method, path, data={"csrf_token": foreign}).status_code == 403, path
    assert client.get("/account/security").status_code == 200


# Public by design: sign-in and recovery, enrolment of new members, the shop's catalogue.
PUBLIC = {
    "/health",
    "/login",
    "/password/forgot",
    "/password/reset",
    "/favicon.ico",
    "/enroll",
    "/shop",
    "/shop/promo",
}


def test_every_page_refuses_anonymous_callers(harness: Any) -> None:
    anon = harness.client()
    checked = 0
    for route in api_routes(harness.app):
        if route.path in PUBLIC or route.path == "/api/admin/response":
            continue
        path = re.sub(r"\{\w+\}", "1", route.path)
        for method in route.methods:
            data = {"csrf_token": csrf(anon)} if method == "POST" else None
            r = anon.request(method, path, data=data)
            assert r.status_code in (303, 401, 403), (method, path, r.status_code)
            if r.status_code == 303:
                assert r.headers["location"].startswith("/login"), (path, r.headers["location"])
            checked += 1
    assert checked >= 30


def test_staff_pages_refuse_distributors(harness: Any) -> None:
    client, _uid, _ = signed_in(harness, "dan.dist")
    target = harness.add_user("tia.target")
    token = csrf(client, "/account/profile")
    staff = [r for r in api_routes(harness.app) if r.path.startswith("/staff/")]
    assert len(staff) >= 7
    for route in staff:
        path = route.path.replace("{user_id}", target)
        for method in route.methods:
            r = client.request(method, path, data={"csrf_token": token} if method == "POST" else None)
            assert r.status_code == 403, (method, path, r.status_code)
            assert "tia.target" not in r.text
    denied = harness.find("mlm.audit", "access_denied")
    assert len(denied) >= len(staff)


def test_the_session_token_changes_after_the_second_factor(harness: Any) -> None:
    from mlmapp_helpers import code_for

    client, _uid, secret = signed_in(harness, "mia.mfa", mfa=True)
    assert client.post("/logout", data={"csrf_token": csrf(client, "/")}).status_code == 303
    r = login(client, "mia.mfa")
    half = r.cookies.get(COOKIE)
    assert r.headers["location"].startswith("/mfa") and half
    r = client.post("/mfa", data={"code": code_for(secret, 1), "csrf_token": csrf(client, "/mfa")})
    full = r.cookies.get(COOKIE)
    assert r.status_code == 303 and full and full != half
    stale = harness.client("198.51.100.31")
    stale.cookies.set(COOKIE, half, domain="testserver.local")
    assert stale.get("/account/security").status_code == 303  # the pre-MFA token opens nothing
