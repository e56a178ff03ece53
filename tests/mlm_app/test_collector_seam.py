"""End to end with the real collector: every event the app ships is accepted and stored."""

from __future__ import annotations

import threading
import time

import pytest
import uvicorn
from builders import free_port
from fastapi.testclient import TestClient
from mlmapp_helpers import CSRF_RE

from core.store.base import EventQuery


@pytest.fixture
def real_collector(tmp_path):
    from collector.main import create_app
    from collector.settings import CollectorSettings
    from core.bus.memory import MemoryBus
    from core.paths import tokens_db
    from core.store import open_store
    from core.tokens import TokenStore

    settings = CollectorSettings(data_dir=tmp_path / "siem")
    store = open_store(settings.resolved_store_url())
    tokens = TokenStore(tokens_db(settings.data_dir))
    token = tokens.create("ingest", "mlm_app")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store, MemoryBus(capacity=10_000), tokens),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", token, store
    server.should_exit = True
    thread.join(10)
    store.close()
    tokens.close()


def test_collector_accepts_everything_the_app_ships(make_harness, real_collector):
    url, token, store = real_collector
    harness = make_harness(shipper="http", collector_url=url, ingest_token=token, shipper_flush_seconds=0.05)
    harness.add_user("seam.user")
    with TestClient(harness.app, client=("203.0.113.40", 4000), follow_redirects=False) as client:
        form = CSRF_RE.search(client.get("/login?q=%27%20or%201%3D1").text).group(1)
        client.post("/login", data={"username": "seam.user", "password": "wrong password!", "csrf_token": form})
        client.post("/login", data={"username": "ghost.user", "password": "wrong password!", "csrf_token": form})
    deadline = time.monotonic() + 20
    while store.count_events(EventQuery()) < len(harness.events) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.count_events(EventQuery()) == len(harness.events) == 5
    failures = store.search_events(EventQuery(filters={"event.action": ["login"]})).items
    assert sorted(e["mlm"]["auth"]["failure_reason"] for e in failures) == ["bad_password", "unknown_user"]
    first = store.search_events(EventQuery(filters={"url.path": ["/login"], "http.request.method": ["GET"]})).items
    assert first[0]["url"]["query"] == "q=%27%20or%201%3D1" and first[0]["source"]["ip"] == "203.0.113.40"
