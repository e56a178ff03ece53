"""Login with password and TOTP, sessions, CSRF, roles, lockout, security headers, bootstrap and CLI."""

from __future__ import annotations

import json
import os
import stat

import pyotp
from dash_kit import csrf_of, login
from fastapi.testclient import TestClient

from dashboard.analysts.service import create_analyst
from dashboard.bootstrap import credentials_file, ensure_admin
from dashboard.security import CSP


def test_health_is_public_and_reports_parts(app):
    r = TestClient(app).get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "store": "ok"}


def test_pages_need_login(app):
    client = TestClient(app)
    r = client.get("/alerts", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_login_needs_password_and_totp(app, ctx, clock):
    password, secret = create_analyst(ctx, "amy", "viewer", password="correct horse battery staple")
    client = TestClient(app)
    login(client, clock, "amy", password, secret)
    r = client.get("/alerts")
    assert r.status_code == 200 and "amy (viewer)" in r.text


def test_password_alone_gives_no_access_and_wrong_code_fails(app, ctx, clock):
    password, secret = create_analyst(ctx, "bob", "admin", password="correct horse battery staple")
    client = TestClient(app)
    page = client.get("/login")
    client.post("/login", data={"username": "bob", "password": password, "csrf_token": csrf_of(page.text)})
    assert client.get("/alerts", follow_redirects=False).status_code == 303
    mfa = client.get("/login/mfa")
    wrong = str((int(pyotp.TOTP(secret).at(clock())) + 1) % 1_000_000).zfill(6)
    r = client.post(
        "/login/mfa", data={"code": wrong, "csrf_token": csrf_of(mfa.text)}, follow_redirects=False
    )
    assert r.headers["location"] == "/login/mfa?error=invalid"
    assert client.get("/alerts", follow_redirects=False).status_code == 303


def test_totp_code_cannot_be_replayed(app, ctx, clock):
    password, secret = create_analyst(ctx, "cy", "viewer", password="correct horse battery staple")
    code = pyotp.TOTP(secret).at(clock())
    for attempt in range(2):
        client = TestClient(app)
        page = client.get("/login")
        client.post("/login", data={"username": "cy", "password": password, "csrf_token": csrf_of(page.text)})
        mfa = client.get("/login/mfa")
        r = client.post(
            "/login/mfa", data={"code": code, "csrf_token": csrf_of(mfa.text)}, follow_redirects=False
        )
        assert r.headers["location"] == ("/" if attempt == 0 else "/login/mfa?error=invalid")


def test_bad_password_locks_after_max_failures(app, ctx, settings):
    create_analyst(ctx, "dan", "viewer", password="correct horse battery staple")
    client = TestClient(app)
    for _ in range(settings.login_max_failures):
        page = client.get("/login")
        r = client.post(
            "/login",
            data={"username": "dan", "password": "wrong password!", "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/login?error=invalid"
    page = client.get("/login")
    r = client.post(
        "/login",
        data={
            "username": "dan",
            "password": "correct horse battery staple",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/login?error=locked"


def test_login_form_without_csrf_is_refused(app, ctx):
    create_analyst(ctx, "eve", "viewer", password="correct horse battery staple")
    client = TestClient(app)
    client.get("/login")
    r = client.post(
        "/login",
        data={"username": "eve", "password": "correct horse battery staple", "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_logout_needs_csrf_and_ends_session(client_for):
    client = client_for("viewer")
    assert client.post("/logout", data={"csrf_token": "nope"}, follow_redirects=False).status_code == 403
    page = client.get("/alerts")
    r = client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/alerts", follow_redirects=False).status_code == 303


def test_viewer_cannot_open_admin_pages(client_for):
    viewer = client_for("viewer")
    assert viewer.get("/admin/audit").status_code == 403
    admin = client_for("admin")
    r = admin.get("/admin/audit")
    assert r.status_code == 200 and "analyst_login" in r.text


def test_strict_security_headers(client_for):
    r = client_for("viewer").get("/alerts")
    assert r.headers["content-security-policy"] == CSP
    assert "unsafe-inline" not in CSP and "script-src 'self'" in CSP
    assert r.headers["x-frame-options"] == "DENY"
    assert "<script>" not in r.text and " style=" not in r.text


def test_ensure_admin_keeps_credentials_private(settings):
    first = ensure_admin(settings)
    again = ensure_admin(settings)
    assert first == again and first[0] == "admin" and len(first[1]) >= 16
    path = credentials_file(settings)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text())["totp_secret"] == first[2]


def test_cli_creates_analyst_and_prints_totp_secret(tmp_path, capsys):
    from mlm_siem.cli import main

    assert (
        main(["analyst", "create", "--username", "fay", "--role", "responder", "--data-dir", str(tmp_path)])
        == 0
    )
    out = capsys.readouterr().out
    assert "totp_secret: " in out and "password: " in out
    assert (
        main(["analyst", "create", "--username", "fay", "--role", "responder", "--data-dir", str(tmp_path)])
        == 2
    )


def test_idle_session_expires_and_is_purged(app, ctx, client_for, clock, settings):
    from dashboard.models import WebSession

    client = client_for("viewer")
    assert client.get("/alerts", follow_redirects=False).status_code == 200
    clock.advance(settings.session_idle_seconds + 1)
    app.state.worker.run_once()  # periodic duties purge dead sessions
    with ctx.db.session() as db:
        assert db.query(WebSession).count() == 0
    assert client.get("/alerts", follow_redirects=False).status_code == 303


def test_audit_entries_are_exported_as_events(client_for, ctx):
    from core.store import EventQuery

    client_for("viewer")
    hits = ctx.store.search_events(EventQuery(filters={"service.name": ["dashboard"]})).items
    assert hits and all(h["event"]["dataset"] == "mlm.audit" for h in hits)
    assert any(h["event"]["action"] == "analyst_login" for h in hits)


def test_example_response_policy_is_valid():
    from pathlib import Path

    import dashboard
    from dashboard.response.policy import load_policy

    profiles = load_policy(Path(dashboard.__file__).parent / "response_policy.example.yml")
    assert next(p.name for p in profiles) == "flood_or_injection_block_ip"


def test_spraying_many_accounts_from_one_address_is_throttled(app, ctx):
    from dashboard.analysts.throttle import MAX_FAILURES

    create_analyst(ctx, "gus", "viewer", password="correct horse battery staple")
    client = TestClient(app)
    for i in range(MAX_FAILURES):  # one try per (mostly unknown) account: no account lockout applies
        page = client.get("/login")
        client.post(
            "/login",
            data={"username": f"user{i}", "password": "Winter2026!", "csrf_token": csrf_of(page.text)},
        )
    page = client.get("/login")
    r = client.post(
        "/login",
        data={
            "username": "gus",
            "password": "correct horse battery staple",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/login?error=locked"
