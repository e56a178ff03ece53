"""Fixtures for dashboard tests: an app on a temp data dir with an injected clock, logged-in clients."""

from __future__ import annotations

from typing import Any

import pytest
from dash_kit import FAST_HASH, FakeClock, login
from fastapi.testclient import TestClient

from dashboard.analysts.service import create_analyst
from dashboard.context import AppContext
from dashboard.main import create_app
from dashboard.settings import DashboardSettings


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Any) -> DashboardSettings:
    return DashboardSettings(
        data_dir=tmp_path, worker_enabled=False, secret_key="test-secret-key-0123456789", **FAST_HASH
    )


@pytest.fixture
def app(settings: DashboardSettings, clock: FakeClock) -> Any:
    application = create_app(settings, clock=clock)
    yield application
    application.state.ctx.close()


@pytest.fixture
def ctx(app: Any) -> AppContext:
    return app.state.ctx


@pytest.fixture
def client_for(app: Any, ctx: AppContext, clock: FakeClock):  # type: ignore[no-untyped-def]
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
