"""The live worker on the in-process bus and the SQLite store; serve-detectors' /health endpoint."""

from __future__ import annotations

import threading
import time

import httpx
import orjson
from builders import free_port, make_event, make_event_dict

from core.alert import Alert
from core.bus import ALERTS_TOPIC, EVENTS_TOPIC
from core.bus.memory import MemoryBus
from core.store.sqlite import SqliteStore
from detectors.base import DetectorConfig
from detectors.engine import Engine
from detectors.serve import serve_detectors
from detectors.settings import DetectorSettings
from detectors.worker import DetectorWorker

BRUTE = "3f6c1d2a-5b7e-4c19-9a01-6d0e1f2a0102"


class Buffering:
    """Holds one alert per event until flush (like batch-scoring models)."""

    name = "buffering"

    def __init__(self):
        self.pending: list[Alert] = []

    def process(self, event):
        self.pending.append(Alert(rule_id="buffered", rule_name="b", category="test", severity="low",
                                  risk_score=1, entity_type="user", entity_value="amy",
                                  timestamp=event.timestamp, event_ids=[event.id], summary="s"))
        return []

    def flush(self):
        out, self.pending = self.pending, []
        return out


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_worker_detects_stores_publishes_commits_and_flushes_on_idle(tmp_path):
    bus = MemoryBus()
    store = SqliteStore(str(tmp_path / "events.db"))
    sigma = Engine.build(DetectorConfig(families=["sigma"])).detectors
    buffering = Buffering()
    worker = DetectorWorker(bus, store, Engine([*sigma, buffering]), poll_timeout=0.05, idle_flush_seconds=0.1)
    lines = [orjson.dumps(make_event_dict(i * 5, event__id=f"e{i}", event__outcome="failure", user__name="amy",
                                          user__id="amy")) for i in range(12)]
    producer = bus.producer()
    # Two messages of several NDJSON lines each; one hostile line in the middle.
    producer.publish(EVENTS_TOPIC, [b"\n".join(lines[:6]), b"\n".join([b"{bad", *lines[6:]])], [b"amy", b"amy"])
    worker.start()
    try:
        assert wait_for(lambda: len(store.alerts_after(0)[0]) >= 1 + 12)
        assert wait_for(lambda: bus.lag(EVENTS_TOPIC, "detectors") == 0)
    finally:
        worker.stop()
    stored, _ = store.alerts_after(0)
    brute = [a for a in stored if a.rule_id == BRUTE]
    assert len(brute) == 1 and brute[0].entity_value == "amy" and len(brute[0].event_ids) == 10
    assert sorted(a.event_ids[0] for a in stored if a.rule_id == "buffered") == sorted(f"e{i}" for i in range(12))
    published = bus.consumer(ALERTS_TOPIC, "check").poll(100, 0.1)
    assert {Alert.from_json(m.value).id for m in published} == {a.id for a in stored}
    assert worker.bad_events == 1
    stats = worker.stats()
    assert stats["events"] == 12 and stats["alerts_by_rule"][BRUTE] == 1 and not stats["running"]
    store.close()


def test_worker_retries_when_the_store_fails(tmp_path, monkeypatch):
    bus = MemoryBus()
    store = SqliteStore(str(tmp_path / "events.db"))
    real_write, calls = store.write_alerts, []

    def flaky(alerts):
        calls.append(len(alerts))
        if len(calls) == 1:
            raise OSError("disk full")
        return real_write(alerts)

    store.write_alerts = flaky  # type: ignore[method-assign]
    worker = DetectorWorker(bus, store, Engine.build(DetectorConfig(families=["sigma"])), poll_timeout=0.05)
    monkeypatch.setattr("detectors.worker.RETRY_SECONDS", 0.05)
    lines = [make_event(i, event__outcome="failure", user__name="zed", user__id="zed").to_json() for i in range(10)]
    bus.producer().publish(EVENTS_TOPIC, [b"\n".join(lines)])
    worker.start()
    try:
        assert wait_for(lambda: len(store.alerts_after(0)[0]) == 1)
        assert wait_for(lambda: bus.lag(EVENTS_TOPIC, "detectors") == 0)
    finally:
        worker.stop()
    assert calls == [1, 1]
    store.close()


def test_serve_detectors_health(tmp_path, monkeypatch):
    port = free_port()
    monkeypatch.setenv("MLM_SIEM_DETECTORS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MLM_SIEM_DETECTORS_HEALTH_PORT", str(port))
    monkeypatch.setenv("MLM_SIEM_DETECTORS_FAMILIES", '["sigma"]')
    settings = DetectorSettings()
    assert settings.resolved_store_url().endswith("events.db") and settings.families == ["sigma"]
    stop = threading.Event()
    thread = threading.Thread(target=serve_detectors, args=(settings, stop), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: _health(port) is not None)
        status, body = _health(port)
        assert status == 200 and body["status"] == "ok" and body["detectors"] == ["sigma"]
        assert httpx.get(f"http://127.0.0.1:{port}/other").status_code == 404
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def _health(port):
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
    except httpx.HTTPError:
        return None
    return response.status_code, response.json()


def test_worker_drops_alerts_of_rules_the_dashboard_disabled(tmp_path, monkeypatch):
    monkeypatch.setattr("detectors.worker.RULE_STATE_CHECK_SECONDS", 0.0)
    state = tmp_path / "rule_state.json"
    state.write_bytes(orjson.dumps({"disabled": [BRUTE], "suppressions": []}))
    bus, store = MemoryBus(), SqliteStore(str(tmp_path / "events.db"))
    worker = DetectorWorker(bus, store, Engine.build(DetectorConfig(families=["sigma"])), poll_timeout=0.05,
                            rule_state_path=state)
    export = make_event(0, event__dataset="mlm.audit", event__action="data_exported", user__id="s1",
                        **{"mlm.export.records": 9000})
    failures = [make_event(i, event__outcome="failure", user__name="zed", user__id="zed").to_json() for i in range(10)]
    bus.producer().publish(EVENTS_TOPIC, [export.to_json(), b"\n".join(failures)])
    worker.start()
    try:
        assert wait_for(lambda: bus.lag(EVENTS_TOPIC, "detectors") == 0)
    finally:
        worker.stop()
    # The export (no device cookie: new to the account) still alerts; the disabled brute force does not.
    assert [a.rule_id for a in store.alerts_after(0)[0]] == ["3f6c1d2a-5b7e-4c19-9a01-6d0e1f2a0702"]
    state.write_text("{not json")
    assert worker.rule_state.disabled() == frozenset({BRUTE})  # a broken file keeps the last good state
    store.close()


def test_settings_find_trained_models_in_the_data_dir(tmp_path):
    assert DetectorSettings(data_dir=tmp_path).detector_config().models_dir is None
    (tmp_path / "models").mkdir()
    assert DetectorSettings(data_dir=tmp_path).detector_config().models_dir == tmp_path / "models"
    assert DetectorSettings(data_dir=tmp_path, models_dir=tmp_path / "m2").detector_config().models_dir == tmp_path / "m2"
