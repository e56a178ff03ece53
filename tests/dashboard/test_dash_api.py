"""REST API with api tokens (role from the token record), OpenAPI, and deny-by-default on every route."""

from __future__ import annotations

import pytest
from builders import make_event
from dash_kit import make_alert
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient


@pytest.fixture
def api(app, ctx):
    ctx.store.write_alerts([make_alert(0, event_ids=["a-1"]), make_alert(30, entity_value="bob")])
    ctx.store.write_events(
        [
            make_event(0, event__id="a-1", user__name="amy"),
            make_event(5, event__id="a-2", user__name="bob", event__action="logout"),
        ]
    )
    app.state.worker.drain()
    client = TestClient(app)

    def as_role(role):
        token = ctx.tokens.create("api", f"tok-{role}", role)
        return {"Authorization": f"Bearer {token}"}

    return client, as_role


def test_reads_need_a_valid_token(api):
    client, as_role = api
    assert client.get("/api/v1/alerts").status_code == 401
    assert (
        client.get("/api/v1/alerts", headers={"Authorization": "Bearer mlms_api_forged"}).status_code == 401
    )
    r = client.get("/api/v1/alerts", headers=as_role("viewer"))
    assert r.status_code == 200 and [a["entity"]["value"] for a in r.json()["items"]] == ["bob", "amy"]
    assert r.json()["items"][0]["incident_id"] is not None


def test_incidents_list_detail_and_patch(api):
    client, as_role = api
    viewer, analyst = as_role("viewer"), as_role("analyst")
    items = client.get("/api/v1/incidents", headers=viewer).json()["items"]
    amy = next(i for i in items if i["entity"]["value"] == "amy")
    detail = client.get(f"/api/v1/incidents/{amy['id']}", headers=viewer).json()
    assert detail["alerts"][0]["id"] and any(t["kind"] == "evidence" for t in detail["timeline"])
    assert (
        client.patch(
            f"/api/v1/incidents/{amy['id']}", json={"status": "acknowledged"}, headers=viewer
        ).status_code
        == 403
    )
    r = client.patch(
        f"/api/v1/incidents/{amy['id']}", json={"status": "acknowledged", "comment": "on it"}, headers=analyst
    )
    assert r.status_code == 200 and r.json()["incident"]["status"] == "acknowledged"
    assert (
        client.patch(
            f"/api/v1/incidents/{amy['id']}", json={"status": "acknowledged"}, headers=analyst
        ).status_code
        == 409
    )
    assert client.patch("/api/v1/incidents/999", json={"comment": "x"}, headers=analyst).status_code == 404
    assert (
        client.patch(f"/api/v1/incidents/{amy['id']}", json={"evil": 1}, headers=analyst).status_code == 422
    )


def test_event_search_and_openapi(api):
    client, as_role = api
    viewer = as_role("viewer")
    r = client.post("/api/v1/events/search", json={"q": "user.name:bob"}, headers=viewer)
    assert (
        r.status_code == 200
        and r.json()["total"] == 1
        and r.json()["items"][0]["event"]["action"] == "logout"
    )
    r = client.post("/api/v1/events/search", json={"filters": {"user.name": ["amy"]}}, headers=viewer)
    assert r.json()["total"] == 1
    assert client.post("/api/v1/events/search", json={"start": "garbage"}, headers=viewer).status_code == 422
    spec = client.get("/api/v1/openapi.json", headers=viewer).json()
    assert {
        "/api/v1/alerts",
        "/api/v1/incidents",
        "/api/v1/incidents/{incident_id}",
        "/api/v1/events/search",
    } <= set(spec["paths"])
    assert not any(p.startswith(("/incidents", "/login")) for p in spec["paths"])
    assert client.get("/api/v1/openapi.json").status_code == 401


PUBLIC = {"/health", "/login", "/login/mfa"}


def _routes(app):
    for route in app.routes:
        inner = getattr(route, "original_router", None)
        for r in inner.routes if inner is not None else [route]:
            if isinstance(r, APIRoute):
                yield r


def test_every_route_denies_anonymous_callers(app):
    client = TestClient(app)
    checked = 0
    for route in _routes(app):
        if route.path in PUBLIC:
            continue
        path = route.path.replace("{incident_id}", "1").replace("{response_id}", "1").replace("{fmt}", "md")
        for method in route.methods:
            r = client.request(method, path, follow_redirects=False)
            assert r.status_code in (401, 303), (method, path, r.status_code)
            if r.status_code == 303:
                assert r.headers["location"] == "/login"
            checked += 1
    assert checked >= 30


def test_tokens_live_beside_the_shared_event_store(tmp_path):
    from dashboard.settings import DashboardSettings

    shared = tmp_path / "siem"
    settings = DashboardSettings(
        data_dir=tmp_path / "siem" / "dashboard", store_url=f"sqlite:///{shared}/events.db"
    )
    assert (
        settings.resolved_tokens_db() == shared / "tokens.db"
    )  # where `token create --data-dir siem` writes
    assert settings.resolved_rule_state_file() == shared / "rule_state.json"  # where detectors read it
    assert DashboardSettings(data_dir=tmp_path).resolved_tokens_db() == tmp_path / "tokens.db"
    explicit = DashboardSettings(data_dir=tmp_path, tokens_db=tmp_path / "t.db")
    assert explicit.resolved_tokens_db() == tmp_path / "t.db"
