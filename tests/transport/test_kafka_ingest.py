"""Kafka ingest against noida: raw topic → store → siem.events, dead letters, commit after durable."""

from __future__ import annotations

import time

import orjson
import pytest
from builders import make_event_dict
from services import drain

from collector.kafka_ingest import KafkaIngest, KafkaIngestSettings
from core.bus import EVENTS_TOPIC
from core.store import EventQuery
from core.store.elastic_bulk import StoreUnavailable
from core.store.sqlite import SqliteStore


def _line(**overrides) -> bytes:
    return orjson.dumps(make_event_dict(**overrides))


def _ingest(kafka_bus, store, topic, tmp_path, **kwargs):
    settings = KafkaIngestSettings(raw_topic=topic, group=f"collector-{topic}", dead_letter_topic=f"{topic}.dead")
    return KafkaIngest.from_bus(kafka_bus, store, settings, tmp_path, retry_delay=0.01, **kwargs)


def _published(kafka_bus, ids, group) -> list[str]:
    """Event ids (of `ids`) found on siem.events, with repeats."""
    consumer = kafka_bus.consumer(EVENTS_TOPIC, group)
    found = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and set(found) != set(ids):
        for m in consumer.poll(timeout=0.5):
            found += [orjson.loads(line)["event"]["id"] for line in m.value.split(b"\n")]
            found = [i for i in found if i in ids]
    for m in consumer.poll(timeout=0.5):  # anything repeated right behind
        found += [i for i in (orjson.loads(x)["event"]["id"] for x in m.value.split(b"\n")) if i in ids]
    consumer.close()
    return found


def test_good_lines_are_stored_and_published_bad_ones_dead_lettered(kafka_bus, topic, tmp_path):
    store = SqliteStore(tmp_path / "events.db")
    good = [make_event_dict(i, user__id=f"d-{i}") for i in range(3)]
    messages = [
        b"\n".join(orjson.dumps(e) for e in good[:2]) + b"\n{not json",
        orjson.dumps(good[2]) + b"\n" + _line(event__id=None) + b"\n\xff\xfe",
    ]
    kafka_bus.producer().publish(topic, messages, [b"a", b"b"])
    ingest = _ingest(kafka_bus, store, topic, tmp_path)
    deadline = time.monotonic() + 20
    while ingest.stats.messages < 2 and time.monotonic() < deadline:
        ingest.run_once(timeout=0.5)
    ids = [e["event"]["id"] for e in good]
    assert sorted(d["event"]["id"] for d in store.get_events(ids)) == sorted(ids)
    assert store.get_events(ids)[0]["event"]["ingested"]  # enriched by the collector stages
    assert sorted(_published(kafka_bus, ids, f"check-{topic}")) == sorted(ids)
    dead = [orjson.loads(m.value) for m in drain(kafka_bus.consumer(f"{topic}.dead", f"dl-{topic}"), 3)]
    assert len(dead) == 3
    reasons = {d["raw_encoding"]: d["reason"] for d in dead}
    assert "event.id" in " ".join(d["reason"] for d in dead) and "JSON" in reasons["base64"]
    assert {(d["source"]["topic"], d["source"]["line"]) for d in dead} == {(topic, 3), (topic, 2)}
    assert kafka_bus.lag(topic, f"collector-{topic}") == 0
    ingest.stop()
    store.close()


class FailingStore:
    """A store that is down for the first `failures` writes."""

    def __init__(self, real, failures):
        self.real, self.failures = real, failures

    def write_events(self, events):
        if self.failures:
            self.failures -= 1
            raise StoreUnavailable("down")
        return self.real.write_events(events)


def test_offsets_are_committed_only_after_events_are_durable(kafka_bus, topic, tmp_path):
    real = SqliteStore(tmp_path / "events.db")
    event = make_event_dict(1, user__id="d-1")
    kafka_bus.producer().publish(topic, [orjson.dumps(event)], [b"d-1"])
    down = _ingest(kafka_bus, FailingStore(real, failures=10**6), topic, tmp_path / "a")
    down.start()
    deadline = time.monotonic() + 20
    while down.stats.accepted < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    down.stop()  # crashed (store down) before anything was durable
    assert real.count_events(EventQuery()) == 0
    assert kafka_bus.lag(topic, f"collector-{topic}") == 1
    flaky = _ingest(kafka_bus, FailingStore(real, failures=2), topic, tmp_path / "b")
    deadline = time.monotonic() + 20
    while flaky.stats.messages < 1 and time.monotonic() < deadline:
        flaky.run_once(timeout=0.5)
    assert real.count_events(EventQuery()) == 1
    assert kafka_bus.lag(topic, f"collector-{topic}") == 0
    assert _published(kafka_bus, [event["event"]["id"]], f"check-{topic}") == [event["event"]["id"]]
    flaky.stop()
    real.close()


def test_a_resent_event_is_stored_and_published_once(kafka_bus, topic, tmp_path):
    store = SqliteStore(tmp_path / "events.db")
    line = _line(seconds=5, user__id="d-9")
    event_id = orjson.loads(line)["event"]["id"]
    kafka_bus.producer().publish(topic, [line, line + b"\n" + line], [b"d-9", b"d-9"])
    ingest = _ingest(kafka_bus, store, topic, tmp_path)
    deadline = time.monotonic() + 20
    while ingest.stats.messages < 2 and time.monotonic() < deadline:
        ingest.run_once(timeout=0.5)
    assert store.count_events(EventQuery()) == 1
    assert (ingest.stats.accepted, ingest.stats.published, ingest.stats.duplicates) == (3, 1, 2)
    assert _published(kafka_bus, [event_id], f"check-{topic}") == [event_id]
    ingest.stop()
    store.close()


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MLM_SIEM_COLLECTOR_KAFKA_BOOTSTRAP", "kafka:9092")
    monkeypatch.setenv("MLM_SIEM_COLLECTOR_KAFKA_RAW_TOPIC", "app.raw")
    settings = KafkaIngestSettings()
    assert (settings.bootstrap, settings.raw_topic, settings.group) == ("kafka:9092", "app.raw", "mlm-siem-collector")
    with pytest.raises(ValueError):
        KafkaIngestSettings(poll_records=0)


def test_start_from_env_runs_only_when_configured(noida, topic, tmp_path, monkeypatch):
    from collector.kafka_ingest import start_from_env

    store = SqliteStore(tmp_path / "events.db")
    assert start_from_env(store, tmp_path, KafkaIngestSettings(bootstrap=None)) is None
    monkeypatch.setenv("MLM_SIEM_COLLECTOR_KAFKA_BOOTSTRAP", noida.kafka_bootstrap)
    monkeypatch.setenv("MLM_SIEM_COLLECTOR_KAFKA_RAW_TOPIC", topic)
    monkeypatch.setenv("MLM_SIEM_COLLECTOR_KAFKA_GROUP", f"env-{topic}")
    ingest = start_from_env(store, tmp_path)
    try:
        from core.bus.kafka import KafkaBus

        KafkaBus(noida.kafka_bootstrap).producer().publish(topic, [_line(user__id="d-env")], [b"d-env"])
        deadline = time.monotonic() + 20
        while store.count_events(EventQuery()) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert store.count_events(EventQuery(filters={"user.id": ["d-env"]})) == 1
        assert ingest.health()["status"] == "ok"
    finally:
        ingest.stop()
        store.close()


def test_dead_letters_keep_binary_lines_losslessly_and_cut_huge_ones():
    from collector.kafka_ingest import _envelope
    from core.bus import Message

    message = Message("raw", 2, 41, b"k", b"")
    binary = orjson.loads(_envelope(message, 3, b"\xff\x00\xfe", "not valid JSON"))
    import base64

    assert base64.b64decode(binary["raw"]) == b"\xff\x00\xfe" and binary["raw_encoding"] == "base64"
    assert binary["source"] == {"topic": "raw", "partition": 2, "offset": 41, "line": 3}
    huge = orjson.loads(_envelope(message, 1, b"x" * 600_000, "event larger than allowed"))
    assert huge["raw_truncated"] is True and len(huge["raw"]) == 262_144
