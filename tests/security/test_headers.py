"""Security headers on every kind of response of both apps: CSP without inline script, no framing,
nosniff, a referrer policy; HSTS only over TLS."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from mlmapp_helpers import csrf

from dashboard.main import create_app as create_dashboard
from dashboard.settings import DashboardSettings


def assert_headers(response: Any, where: object, hsts: bool = False) -> None:
    h = response.headers
    csp = h.get("content-security-policy", "")
    script = next((d for d in csp.split(";") if d.strip().startswith(("script-src", "default-src"))), "")
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, (where, csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp and script, (where, csp)
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("referrer-policy") in ("no-referrer", "same-origin", "strict-origin-when-cross-origin"), (
        where
    )
    assert h.get("x-frame-options") == "DENY", where
    assert ("strict-transport-security" in h) is hsts, (where, h.get("strict-transport-security"))
    if hsts:
        assert "max-age=31536000" in h["strict-transport-security"]


def _dash_answers(client: TestClient, ctx: Any) -> list[Any]:
    api = {"Authorization": f"Bearer {ctx.tokens.create('api', 'hdr', 'viewer')}"}
    return [
        client.get("/login"),
        client.get("/health"),
        client.get("/incidents", follow_redirects=False),
        client.get("/static/app.css"),
        client.get("/nope"),
        client.post("/login", data={}),
        client.post("/login", data={"username": "a", "password": "b", "csrf_token": "c"}),
        client.get("/api/v1/alerts"),
        client.get("/api/v1/alerts", headers=api),
        client.get("/api/v1/incidents/abc", headers=api),
        client.delete("/login"),
    ]


def test_dashboard_headers_on_every_answer(app: Any, ctx: Any) -> None:
    answers = _dash_answers(TestClient(app), ctx)
    assert {r.status_code for r in answers} >= {200, 303, 401, 403, 404, 405, 422}
    for r in answers:
        assert_headers(r, (r.request.method, r.request.url.path, r.status_code))


def test_dashboard_sends_hsts_over_tls(app: Any, ctx: Any, tmp_path: Any) -> None:
    for r in _dash_answers(TestClient(app, base_url="https://testserver"), ctx):
        assert_headers(r, r.request.url.path, hsts=True)
    secure = create_dashboard(
        DashboardSettings(
            data_dir=tmp_path / "tls", worker_enabled=False, secret_key="k" * 32, cookie_secure=True
        )
    )
    try:
        assert_headers(TestClient(secure).get("/login"), "cookie_secure", hsts=True)
    finally:
        secure.state.ctx.close()


def _app_answers(client: TestClient) -> list[Any]:
    token = csrf(client)
    return [
        client.get("/login"),
        client.get("/health"),
        client.get("/account/security"),
        client.get("/static/app.css"),
        client.get("/nope"),
        client.post("/login", data={}),
        client.post("/login", data={"username": "nobody", "password": "x", "csrf_token": token}),
        client.post("/api/admin/response", json={}),
        client.put("/login"),
        client.post("/login", content=b"x" * 1_100_000, headers={"content-type": "text/plain"}),
        client.post("/password/forgot", data={"account": "x" * 300, "csrf_token": token}),
    ]


def test_mlm_app_headers_on_every_answer(harness: Any) -> None:
    answers = _app_answers(harness.client())
    assert {r.status_code for r in answers} >= {200, 303, 401, 403, 404, 413, 422}
    for r in answers:
        assert_headers(r, (r.request.method, r.request.url.path, r.status_code))


def test_mlm_app_sends_hsts_when_served_over_tls(make_tls_harness: Any) -> None:
    for r in _app_answers(make_tls_harness.client()):
        assert_headers(r, r.request.url.path, hsts=True)
