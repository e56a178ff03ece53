import orjson
import pytest
from builders import make_event_dict

from core.event import Event, EventError, Limits


def test_flat_and_nested_forms_parse_to_the_same_event():
    nested = make_event_dict(event__id="x1")
    flat = {
        "@timestamp": nested["@timestamp"], "event.id": "x1", "event.dataset": "mlm.auth",
        "event.action": "login", "event.category": ["authentication"], "event.type": ["start"],
        "event.outcome": "success", "event.kind": "event", "service.name": "mlm_app",
        "source.ip": "203.0.113.10", "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64)",
    }
    assert Event.from_dict(flat).doc == Event.from_dict(nested).doc


def test_timestamp_normalized_to_utc():
    event = Event.from_dict(make_event_dict(**{"@timestamp": "2026-11-02T10:30:00+01:00"}))
    assert event.timestamp == "2026-11-02T09:30:00.000Z"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"@timestamp": None}, "@timestamp"),
        ({"@timestamp": "yesterday"}, "@timestamp"),
        ({"event__id": None}, "event.id"),
        ({"event__id": 12}, "event.id"),
        ({"source__ip": "999.1.1.1"}, "source.ip"),
        ({"event__outcome": "maybe"}, "event.outcome"),
        ({"http__response__status_code": "abc"}, "http.response.status_code"),
        ({"mlm__order__amount": True}, "mlm.order.amount"),
    ],
)
def test_bad_fields_are_named(overrides, field):
    with pytest.raises(EventError) as err:
        Event.from_dict(make_event_dict(**overrides))
    assert err.value.field == field


def test_numeric_strings_are_coerced():
    event = Event.from_dict(make_event_dict(http__response__status_code="404"))
    assert event.get("http.response.status_code") == 404


def test_bounds_refuse_deep_wide_and_long_documents():
    deep: dict = {"leaf": 1}
    for _ in range(20):
        deep = {"n": deep}
    with pytest.raises(EventError, match="deeper"):
        Event.from_dict({**make_event_dict(), "x": deep})
    with pytest.raises(EventError, match="more than"):
        Event.from_dict({**make_event_dict(), **{f"f{i}": i for i in range(600)}})
    with pytest.raises(EventError, match="longer"):
        Event.from_dict(make_event_dict(url__path="a" * 70_000))
    with pytest.raises(EventError, match="larger"):
        Event.from_json(b" " * 2_000_000)


def test_invalid_json_and_utf8_are_refused():
    with pytest.raises(EventError, match="JSON"):
        Event.from_json(b"{not json")
    with pytest.raises(EventError, match="JSON"):
        Event.from_json(b'{"a": "\xff\xfe"}')
    with pytest.raises(EventError, match="object"):
        Event.from_json(b"[1, 2]")


def test_flat_and_nested_duplicates_conflict():
    doc = make_event_dict()
    doc["event.action"] = "logout"
    with pytest.raises(EventError, match="twice"):
        Event.from_dict(doc)


def test_round_trip_serialization():
    event = Event.from_dict(make_event_dict(user__name="amy"))
    again = Event.from_json(event.to_json())
    assert again.doc == event.doc and again.ts == event.ts
    assert orjson.loads(event.to_json())["user"]["name"] == "amy"


def test_custom_limits_apply():
    with pytest.raises(EventError):
        Event.from_dict(make_event_dict(), Limits(max_fields=5))


def test_envelope_enumerations_take_their_canonical_case():
    event = Event.from_dict(make_event_dict(event__action="LOGIN", event__outcome="Failure",
                                            event__dataset="MLM.Auth"))
    assert (event.action, event.get("event.outcome"), event.dataset) == ("login", "failure", "mlm.auth")
    assert event.doc["event"]["action"] == "login"
    flat = Event.from_dict({"@timestamp": "2026-11-02T09:00:00Z", "event.id": "f1", "event.dataset": "mlm.http",
                            "event.action": "HTTP_Request"})
    assert flat.doc["event"]["action"] == "http_request"


@pytest.mark.parametrize("stamp", ["2026-11-02T09:30:00.000Z", "2026-11-02T09:30:00.123456Z",
                                   "2026-11-02T10:30:00+01:00", "2026-11-02T09:30:00Z", "2026-11-02T09:30:00.120000Z"])
def test_known_time_is_reused_only_for_its_own_canonical_text(stamp):
    """Replay passes the time it read from the raw line; the event must be what a plain parse gives,
    whether the hint applies (same canonical text) or not (other text, non-canonical text)."""
    raw = orjson.dumps(make_event_dict(**{"@timestamp": stamp}))
    plain = Event.from_json(raw)
    for _ in range(2):  # the second parse takes the compiled-shape path
        hinted = Event.from_json(raw, known_time=(stamp, plain.ts))
        assert (hinted.doc, list(hinted.flat.items()), hinted.ts) == (plain.doc, list(plain.flat.items()), plain.ts)
    # A hint for other text is ignored, even a wrong one.
    assert Event.from_json(raw, known_time=("2026-11-02T09:30:00.999Z", 0.0)).ts == plain.ts
    assert Event.from_json(raw, known_time=(None, 0.0)).ts == plain.ts
    if plain.timestamp != stamp:  # not canonical: normalized whatever the hint says
        again = Event.from_json(raw, known_time=(stamp, 0.0))
        assert (again.timestamp, again.ts) == (plain.timestamp, plain.ts)
