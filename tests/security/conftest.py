"""Fixtures for the security tests: a dashboard and an MLM app on temp data dirs, logged-in clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dash_kit import FAST_HASH, FakeClock, login
from fastapi.testclient import TestClient
from mlmapp_helpers import Harness

from dashboard.analysts.service import create_analyst
from dashboard.main import create_app as create_dashboard
from dashboard.settings import DashboardSettings
from mlm_app.main import create_app as create_mlm_app
from mlm_app.settings import AppSettings

RESPONSE_TOKEN = "resp-token-for-security-tests-0123456789"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(tmp_path: Any, clock: FakeClock) -> Iterator[Any]:
    settings = DashboardSettings(
        data_dir=tmp_path / "dash", worker_enabled=False, secret_key="test-secret-key-0123456789", **FAST_HASH
    )
    application = create_dashboard(settings, clock=clock)
    yield application
    application.state.ctx.close()


@pytest.fixture
def ctx(app: Any) -> Any:
    return app.state.ctx


@pytest.fixture
def client_for(app: Any, ctx: Any, clock: FakeClock) -> Iterator[Any]:
    """Factory: a TestClient logged in as a new analyst of `role`."""
    clients: list[TestClient] = []

    def make(role: str = "admin", username: str | None = None) -> TestClient:
        name = username or f"{role}-{len(clients)}"
        password, secret = create_analyst(ctx, name, role, password="correct horse battery staple")
        client = TestClient(app)
        login(client, clock, name, password, secret)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def harness(tmp_path: Any) -> Harness:
    """The MLM app with every emitted event captured."""
    settings = AppSettings(data_dir=tmp_path / "app", shipper="off", response_token=RESPONSE_TOKEN)
    h = Harness(create_mlm_app(settings))
    h.app.state.emitter.sinks.append(h.events.append)
    return h


@pytest.fixture
def make_tls_harness(tmp_path: Any) -> Harness:
    """The MLM app configured as served over TLS (secure cookies, HSTS)."""
    settings = AppSettings(data_dir=tmp_path / "tls", shipper="off", secure_cookies=True)
    return Harness(create_mlm_app(settings))
