"""NUL characters (attacker-controlled, legal in JSON and SQLite) against the dashboard on PostgreSQL,
whose text columns refuse them: no 500, no stalled alert worker."""

from __future__ import annotations

from typing import Any

import pytest
from dash_kit import FAST_HASH, csrf_of, make_alert
from fastapi.testclient import TestClient

from dashboard.main import create_app
from dashboard.settings import DashboardSettings


@pytest.fixture
def pg_app(tmp_path: Any, clock: Any, postgres_db_url: str) -> Any:
    settings = DashboardSettings(
        data_dir=tmp_path / "pg",
        database_url=postgres_db_url,
        worker_enabled=False,
        secret_key="test-secret-key-0123456789",
        **FAST_HASH,
    )
    app = create_app(settings, clock=clock)
    yield app
    app.state.ctx.close()


def test_nul_in_alerts_and_logins_on_postgres(pg_app: Any) -> None:
    ctx = pg_app.state.ctx
    ctx.store.write_alerts([make_alert(0, entity_value="eve\x00il", summary="a\x00b", rule_name="r\x00")])
    ctx.store.write_alerts([make_alert(10, entity_value="bob")])
    pg_app.state.worker.drain()
    from dashboard.incidents import service
    from dashboard.incidents.schemas import IncidentFilter

    rows = service.list_incidents(ctx, IncidentFilter(status="all")).rows
    assert {r.entity_value for r in rows} >= {"bob"} and len(rows) == 2, rows
    client = TestClient(pg_app)
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": "ad\x00min", "password": "x", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/login?error=")


def test_nul_in_mlm_app_forms_on_postgres(tmp_path: Any, postgres_db_url: str) -> None:
    from mlmapp_helpers import Harness, csrf

    from mlm_app.main import create_app as create_mlm_app
    from mlm_app.settings import AppSettings

    harness = Harness(
        create_mlm_app(AppSettings(data_dir=tmp_path / "app", shipper="off", database_url=postgres_db_url))
    )
    client = harness.client()
    for form in ({"username": "ad\x00min", "password": "x"}, {"username": "admin", "password": "p\x00w"}):
        r = client.post("/login", data={**form, "csrf_token": csrf(client)})
        assert r.status_code == 401, (form, r.status_code)
    r = client.post(
        "/password/forgot",
        data={"account": "a\x00@b.example", "csrf_token": csrf(client, "/password/forgot")},
    )
    assert r.status_code == 200
