"""One serialization per event: the spooled, stored and published bytes agree; bus messages by entity."""

from __future__ import annotations

import orjson
import pytest
from builders import make_event_dict
from collector_testkit import published

from collector import publish
from collector.pipeline import Pipeline
from collector.stages import Accepted
from core.bus import EVENTS_TOPIC
from core.event import Event


@pytest.fixture
def pipeline(settings, store, bus, clock):
    pipe = Pipeline(settings, store, bus, clock=clock)
    yield pipe
    pipe.stop()


def _accepted(**overrides) -> Accepted:
    event = Event.from_dict(make_event_dict(**overrides))
    return Accepted(event, event.seal())


def test_spooled_stored_and_published_forms_are_the_same_document(pipeline, store, bus):
    events = [make_event_dict(event__id=f"e{i}", user__id=f"u{i % 2}", source__ip="81.2.69.142",
                              event__outcome=" Failure ") for i in range(4)]
    assert pipeline.ingest(enumerate(events, start=1)).accepted == 4
    spooled = [orjson.loads(line) for _, _, payload in _spool_records(pipeline) for line in payload.split(b"\n")]
    pipeline.drain_pending()
    stored = store.get_events([f"e{i}" for i in range(4)])
    on_bus = sorted((e for _, e in published(bus)), key=lambda e: e["event"]["id"])
    assert spooled == stored == on_bus
    assert stored[0]["event"]["outcome"] == "failure"
    assert stored[0]["source"]["geo"]["country_iso_code"] == "GB"
    assert stored[0]["event"]["ingested"] == "2026-11-02T10:00:00.000Z"


def _spool_records(pipeline: Pipeline):
    """What the spool holds right now, read back as a fresh open would (without taking the lock)."""
    spool = pipeline.spool
    return list(spool._read_segment(spool._segment, 0))


def test_messages_are_keyed_by_user_else_address_in_order():
    items = [_accepted(event__id="a", user__id="u1"), _accepted(event__id="b", user__id=None, source__ip="10.0.0.9"),
             _accepted(event__id="c", user__id="u1")]
    keys, values = publish.group_messages(items)
    assert keys == [b"u1", b"10.0.0.9"]
    ids = [[orjson.loads(line)["event"]["id"] for line in value.split(b"\n")] for value in values]
    assert ids == [["a", "c"], ["b"]]


def test_one_entity_is_split_into_messages_under_the_size_limit(monkeypatch):
    items = [_accepted(event__id=f"x{i}", user__id="u1") for i in range(10)]
    size = len(items[0].line)
    monkeypatch.setattr(publish, "MAX_MESSAGE_BYTES", 3 * size + 3)
    keys, values = publish.group_messages(items)
    assert keys == [b"u1"] * 4
    assert all(len(v) <= 3 * size + 3 for v in values)
    lines = [line for value in values for line in value.split(b"\n")]
    assert lines == [item.line for item in items]


def test_a_line_larger_than_the_limit_still_goes_out_alone(monkeypatch):
    items = [_accepted(event__id="big", user__id="u1"), _accepted(event__id="next", user__id="u1")]
    monkeypatch.setattr(publish, "MAX_MESSAGE_BYTES", 10)
    _, values = publish.group_messages(items)
    assert values == [items[0].line, items[1].line]


def test_the_standalone_discard_consumer_keeps_the_bus_from_filling(settings, store):
    import time

    from collector.cli import _discard_published
    from core.bus.memory import MemoryBus

    bus = MemoryBus(capacity=50, put_timeout=0.5)
    _discard_published(bus)
    producer = bus.producer()
    for _ in range(20):
        producer.publish(EVENTS_TOPIC, [b"x"] * 40)  # would raise BusFull without a consumer
    deadline = time.monotonic() + 5
    while bus.lag(EVENTS_TOPIC, "discard") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bus.lag(EVENTS_TOPIC, "discard") == 0
