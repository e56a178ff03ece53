"""Back-pressure and faults: 429 with Retry-After when spool or bus is full; 503, never 500, on our faults."""

from __future__ import annotations

import threading
import time

import pytest
from builders import make_event_dict
from collector_testkit import ndjson, post, wait_drained
from fastapi.testclient import TestClient

from collector.main import create_app
from collector.settings import CollectorSettings
from core.bus import EVENTS_TOPIC
from core.bus.memory import MemoryBus
from core.store import EventQuery


class GatedStore:
    """The real store behind a gate: writes wait while closed, and fail `failures` times first."""

    def __init__(self, store, failures: int = 0) -> None:
        self.store = store
        self.gate = threading.Event()
        self.failures = failures

    def write_events(self, events):
        if self.failures:
            self.failures -= 1
            raise OSError("database is locked")
        self.gate.wait(10)
        return self.store.write_events(events)

    def __getattr__(self, name):
        return getattr(self.store, name)


def _until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


@pytest.fixture
def small_settings(tmp_path) -> CollectorSettings:
    return CollectorSettings(data_dir=tmp_path / "data", spool_high_water_bytes=8192)


def test_spool_over_high_water_answers_429_then_recovers(small_settings, store, bus, tokens, token, clock):
    gated = GatedStore(store)
    app = create_app(small_settings, gated, bus, tokens, clock=clock)
    with TestClient(app) as client:
        statuses = []
        for i in range(40):
            answer = post(client, token, ndjson([make_event_dict(i * 10 + j) for j in range(10)]))
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                assert answer.headers["retry-after"].isdigit()
                assert "high-water" in answer.json()["error"]
                break
        assert statuses[-1] == 429 and set(statuses[:-1]) == {200}
        assert client.get("/health").json()["status"] == "busy"
        gated.gate.set()
        wait_drained(client)
        assert post(client, token, ndjson([make_event_dict(9999)])).status_code == 200
        wait_drained(client)
    assert store.count_events(EventQuery()) == 10 * (len(statuses) - 1) + 1


def test_full_bus_answers_429_and_nothing_is_lost(settings, store, tokens, token, clock):
    bus = MemoryBus(capacity=2, put_timeout=0.05)
    consumer = bus.consumer(EVENTS_TOPIC, "detectors")
    app = create_app(settings, store, bus, tokens, clock=clock)
    with TestClient(app) as client:
        for i in range(3):  # three entities: three messages, one more than the bus holds
            assert post(client, token, ndjson([make_event_dict(i, user__id=f"u{i}")])).status_code == 200
        _until(lambda: post(client, token, ndjson([make_event_dict(50)])).status_code == 429)
        answer = post(client, token, ndjson([make_event_dict(51)]))
        assert answer.status_code == 429 and "bus is full" in answer.json()["error"]
        received = []
        while len(received) < 3:
            received += consumer.poll(timeout=1)
            consumer.commit()
        wait_drained(client)
        assert post(client, token, ndjson([make_event_dict(52)])).status_code == 200


def test_a_failing_store_is_retried_until_it_works(settings, store, bus, tokens, token, clock):
    flaky = GatedStore(store, failures=3)
    flaky.gate.set()
    app = create_app(settings, flaky, bus, tokens, clock=clock)
    with TestClient(app) as client:
        assert post(client, token, ndjson([make_event_dict(i) for i in range(5)])).status_code == 200
        wait_drained(client)
    assert flaky.failures == 0
    assert store.count_events(EventQuery()) == 5


def test_a_spool_fault_is_a_503_without_internals(client, token, app, monkeypatch):
    def disk_full(payload):
        raise OSError(28, "No space left on device: /secret/path")

    monkeypatch.setattr(app.state.pipeline.spool, "append", disk_full)
    answer = post(client, token, ndjson([make_event_dict()]))
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json() == {"accepted": 0, "rejected": [], "error": "collector unavailable"}


def test_requests_beyond_the_concurrency_bound_wait_then_get_429(tmp_path, store, bus, tokens, token, clock):
    settings = CollectorSettings(data_dir=tmp_path / "data", max_concurrent_ingests=1, ingest_wait_seconds=0.1)
    app = create_app(settings, store, bus, tokens, clock=clock)
    pipeline = app.state.pipeline
    entered, release = threading.Event(), threading.Event()
    real_ingest = pipeline.ingest

    def slow_ingest(records):
        entered.set()
        release.wait(10)
        return real_ingest(records)

    pipeline.ingest = slow_ingest
    with TestClient(app) as client:
        first: list = []
        worker = threading.Thread(target=lambda: first.append(post(client, token, ndjson([make_event_dict(1)]))))
        worker.start()
        assert entered.wait(10)
        answer = post(client, token, ndjson([make_event_dict(2)]))
        assert answer.status_code == 429
        assert answer.json()["error"] == "too many requests in progress"
        release.set()
        worker.join(10)
        assert first[0].status_code == 200
        assert post(client, token, ndjson([make_event_dict(3)])).status_code == 200
