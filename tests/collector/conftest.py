"""Fixtures for collector tests: settings in a temp dir, real SQLite store, memory bus, tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from collector_testkit import FixedClock
from fastapi.testclient import TestClient

from collector.main import create_app
from collector.settings import CollectorSettings
from core.bus.memory import MemoryBus
from core.paths import tokens_db
from core.store import open_store
from core.tokens import TokenStore


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def settings(tmp_path) -> CollectorSettings:
    return CollectorSettings(data_dir=tmp_path / "data", max_body_bytes=16 * 1_048_576)


@pytest.fixture
def store(settings):
    store = open_store(settings.resolved_store_url())
    yield store
    store.close()


@pytest.fixture
def bus() -> MemoryBus:
    return MemoryBus(capacity=10_000, put_timeout=0.2)


@pytest.fixture
def tokens(settings):
    tokens = TokenStore(tokens_db(settings.data_dir))
    yield tokens
    tokens.close()


@pytest.fixture
def token(tokens) -> str:
    return tokens.create("ingest", "test-source")


@pytest.fixture
def app(settings, store, bus, tokens, clock):
    return create_app(settings, store, bus, tokens, clock=clock)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


