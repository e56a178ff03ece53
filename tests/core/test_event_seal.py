"""Sealed events (serialized once, nested document released) and the fast address path."""

import gc

import orjson
import pytest
from builders import make_event_dict

from core.event import Event, EventError


def test_seal_serializes_once_and_to_json_reuses_the_bytes():
    event = Event.from_dict(make_event_dict(user__name="amy"))
    expected = orjson.dumps(event.doc)
    line = event.seal()
    assert line == expected
    assert event.to_json() is line
    assert event.seal() is line


def test_sealed_event_reads_its_document_back_from_the_bytes():
    original = make_event_dict(user__name="amy", url__path="/login")
    event = Event.from_dict(original)
    doc_before = orjson.loads(orjson.dumps(event.doc))
    event.seal()
    assert event.doc == doc_before
    assert event.get("user.name") == "amy"
    assert Event.from_json(event.to_json()).flat == event.flat


def test_replacing_the_document_drops_the_sealed_bytes():
    event = Event.from_dict(make_event_dict())
    event.seal()
    doc = orjson.loads(event.to_json())
    doc["user"] = {"name": "bob"}
    event.doc = doc
    assert orjson.loads(event.to_json())["user"] == {"name": "bob"}


def test_unserializable_document_stays_in_place_when_seal_fails():
    event = Event.from_dict({**make_event_dict(), "big": 2**70})
    with pytest.raises(TypeError):
        event.seal()
    assert event.doc["big"] == 2**70


@pytest.mark.parametrize("address", ["81.2.69.142", "0.0.0.0", "255.255.255.255", "10.0.0.1"])
def test_canonical_ipv4_is_kept_as_given(address):
    assert Event.from_dict(make_event_dict(source__ip=address)).get("source.ip") == address


@pytest.mark.parametrize("given, canonical", [("2001:DB8:0:0::1", "2001:db8::1"), ("::ffff:1.2.3.4", "::ffff:102:304")])
def test_other_spellings_are_canonicalized(given, canonical):
    assert Event.from_dict(make_event_dict(source__ip=given)).get("source.ip") == canonical


@pytest.mark.parametrize("address", ["256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "١.2.3.4"])
def test_malformed_addresses_are_refused(address):
    with pytest.raises(EventError) as err:
        Event.from_dict(make_event_dict(source__ip=address))
    assert err.value.field == "source.ip"


def test_contract_field_names_are_shared_between_events():
    first = Event.from_dict(make_event_dict(event__id="a"))
    second = Event.from_dict(make_event_dict(event__id="b"))
    names = {id(k) for k in first.flat if k in ("event.id", "source.ip", "user_agent.original")}
    assert names == {id(k) for k in second.flat if k in ("event.id", "source.ip", "user_agent.original")}
    assert len(names) == 3


def _observable(event):
    return (event.flat.copy(), event.ts, event.doc, event.to_json())


@pytest.mark.parametrize("overrides", [
    {},  # canonical: the compiled path keeps the raw line instead of the nested document
    {"@timestamp": "2026-11-02T10:30:00+01:00"},  # normalized: the document differs from the line
    {"event__action": "LOGIN"},
    {"source__ip": "2001:DB8::1"},
])
def test_a_lazy_document_is_the_same_document(overrides):
    """lazy_doc changes what an event holds, never what it shows: flat view, time, document, JSON."""
    raw = b" " + orjson.dumps(make_event_dict(user__name="amy", **overrides)) + b"\n"  # raw line layout
    for _ in range(2):  # the second parse takes the compiled path when the shape is plain
        plain, lazy = Event.from_json(raw), Event.from_json(raw, lazy_doc=True)
        assert _observable(lazy) == _observable(plain)
        lazy, plain = Event.from_json(raw, lazy_doc=True), Event.from_json(raw)
        assert lazy.seal() == plain.seal() and lazy.doc == plain.doc
        lazy = Event.from_json(raw, lazy_doc=True)
        lazy.doc = {**lazy.doc, "labels": {"x": "1"}}  # a replaced document is the one kept
        assert orjson.loads(lazy.to_json())["labels"] == {"x": "1"}


def test_a_lazy_event_holds_its_line_not_the_nested_objects():
    raw = orjson.dumps(make_event_dict(user__name="amy"))
    Event.from_json(raw)  # learn the shape
    lazy = Event.from_json(raw, lazy_doc=True)
    held = gc.get_referents(lazy)
    assert raw in held and [type(x) for x in held if isinstance(x, dict)] == [dict]  # the flat view only
    assert lazy.doc == orjson.loads(raw)  # read back when asked
