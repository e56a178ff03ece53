"""The compiled-shape parse path accepts, refuses and normalizes exactly like the generic validator."""

import copy

import orjson
import pytest
from builders import make_event_dict

import core.event as event_module
from core.event import Event, EventError
from core.event_shape import MAX_PER_TOP, MAX_SHAPES, ShapeCache


@pytest.fixture
def shapes(monkeypatch):
    """A fresh shape cache for the test (the module's one is shared by the whole process)."""
    cache = ShapeCache(event_module._NAMES)
    monkeypatch.setattr(event_module, "_SHAPES", cache)
    return cache


def _http(**overrides):
    fields = {
        "event__id": "h1", "event__dataset": "mlm.http", "event__action": "http_request", "event__category": ["web"],
        "event__duration": 1200, "url__path": "/orders/7", "url__query": "a=1", "http__request__method": "POST",
        "http__response__status_code": 200, "http__response__body__bytes": 752, "mlm__order__amount": 12.5,
        "mlm__session__id": "s1", "labels__team": ["a", "b"], "custom__flag": True, "custom__none": 0}
    return make_event_dict(**{**fields, **overrides})


def _generic(doc):
    """What the generic validator makes of `doc` (its refusal, or the event's observable parts)."""
    try:
        event = Event._validate(copy.deepcopy(doc), event_module.DEFAULT_LIMITS, False)
    except EventError as exc:
        return ("refused", exc.field, exc.reason)
    return (event.doc, list(event.flat.items()), event.ts)


def _via_json(raw):
    try:
        event = Event.from_json(raw)
    except EventError as exc:
        return ("refused", exc.field, exc.reason)
    return (event.doc, list(event.flat.items()), event.ts)


def test_a_learned_shape_takes_the_compiled_path_with_the_same_result(shapes):
    raw = orjson.dumps(_http())
    first = _via_json(raw)
    assert shapes.shapes == 1
    assert shapes.flatten(orjson.loads(raw)) is not None
    assert _via_json(raw) == first == _generic(orjson.loads(raw))


def _set(doc, path, value):
    node = doc
    for part in path[:-1]:
        node = node[part]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value


VARIANTS = [
    (("http", "response", "status_code"), "404"),  # same keys, a type that needs coercion
    (("http", "response", "status_code"), True),
    (("http", "response", "status_code"), None),
    (("source", "ip"), "2001:DB8::1"),
    (("source", "ip"), "999.1.1.1"),
    (("source", "ip"), "1.2.3.4\n"),
    (("event", "id"), " "),
    (("event", "id"), 12),
    (("event", "category"), "web"),
    (("event", "category"), ["web", 3]),
    (("event", "category"), ["web", "authentication"]),
    (("labels", "team"), ["a", {"x": 1}]),
    (("labels", "team"), ["a", ["b"]]),
    (("labels", "team"), list(range(300))),
    (("url", "path"), {"a": 1}),
    (("url", "path"), {}),
    (("mlm", "order", "amount"), 3),
    (("mlm", "order", "amount"), "3.5"),
    (("event", "dataset"), "MLM.HTTP"),
    (("event", "dataset"), "nodots"),
    (("event", "outcome"), "maybe"),
    (("event", "kind"), KeyError),
    (("event", "ingested"), "2026-11-02T09:00:01.000Z"),
    (("event", "ingested"), "2026-11-02T10:00:01+01:00"),
    (("@timestamp",), "2026-11-02T10:30:00+01:00"),
    (("@timestamp",), "yesterday"),
    (("custom", "flag"), "yes"),
    (("custom", 'we"ird\nkey\\'), "x"),
    (("custom", "ü'''"), 1),
    (("event.action",), "login"),  # a dotted key beside the nested one
    (("x",), {"n": {"n": {"n": {"n": {"n": {"n": {"n": {"n": 1}}}}}}}}),
    # Objects of one key are checked by lookup, not by their key tuple: other keys, more, none, not objects.
    (("mlm", "session"), {"ID": "s1"}),
    (("mlm", "session"), {"id": "s1", "x": 1}),
    (("mlm", "session"), {"x": 1, "id": "s1"}),
    (("mlm", "session"), {}),
    (("mlm", "session"), ["id"]),
    (("mlm", "session"), "id"),
    (("labels", "team"), KeyError),
    (("labels", "other"), ["a"]),
]


@pytest.mark.parametrize("path, value", VARIANTS, ids=[".".join(p) + f"={v!r}"[:30] for p, v in VARIANTS])
def test_variants_of_a_learned_shape_match_the_generic_validator(shapes, path, value):
    base = _http(event__ingested="2026-11-02T09:00:01.000Z")
    Event.from_json(orjson.dumps(base))  # learn the base shape
    assert shapes.shapes == 1  # else the variants below would only test the generic validator
    doc = copy.deepcopy(base)
    _set(doc, path, value)
    raw = orjson.dumps(doc)
    expected = _generic(orjson.loads(raw))
    assert _via_json(raw) == expected
    assert _via_json(raw) == expected  # again, now that the variant may have been learned too


@pytest.mark.parametrize("ip", ["2001:db8::1", "203.0.113.10"])
def test_canonical_dates_and_ipv6_addresses_are_learned(shapes, ip):
    """A canonical value that coercion returns as an equal new string is no change: such events
    (collector-enriched ones carry event.ingested) must reach the compiled path too."""
    raw = orjson.dumps(_http(event__ingested="2026-11-02T09:00:01.000Z", source__ip=ip))
    first = _via_json(raw)
    assert shapes.shapes == 1
    assert shapes.flatten(orjson.loads(raw)) is not None
    assert _via_json(raw) == first == _generic(orjson.loads(raw))


def test_key_order_is_part_of_the_shape(shapes):
    doc = _http()
    Event.from_json(orjson.dumps(doc))
    doc["event"] = dict(reversed(list(doc["event"].items())))
    raw = orjson.dumps(doc)
    flat = list(Event.from_json(raw).flat)
    assert flat == [name for name, _ in _generic(orjson.loads(raw))[1]]
    assert flat.index("event.id") > flat.index("event.action")


def test_long_strings_never_take_the_compiled_path(shapes):
    Event.from_json(orjson.dumps(_http()))
    with pytest.raises(EventError, match="longer"):
        Event.from_json(orjson.dumps(_http(url__path="/" + "a" * 70_000)))


def test_the_cache_is_bounded_under_hostile_shapes(shapes):
    for i in range(MAX_SHAPES + 50):
        doc = _http()
        doc[f"k{i}"] = i  # a new top-level key tuple each time
        assert Event.from_json(orjson.dumps(doc)).get(f"k{i}") == i
    assert shapes.shapes == MAX_SHAPES
    per_top = ShapeCache(event_module._NAMES)
    for i in range(MAX_PER_TOP + 10):
        doc = _http()
        doc["custom"] = {f"k{i}": i}  # the same top-level keys, a new nested shape each time
        per_top.learn(doc)
    assert per_top.shapes == MAX_PER_TOP


@pytest.mark.parametrize("path, value", VARIANTS, ids=[".".join(p) + f"={v!r}"[:30] for p, v in VARIANTS])
def test_from_dict_with_bounded_strings_matches_the_generic_validator(shapes, path, value):
    """The collector's path: an object decoded from a short line, after its normalizers."""
    base = _http(event__ingested="2026-11-02T09:00:01.000Z")
    Event.from_dict(copy.deepcopy(base), strings_bounded=True)  # learn the base shape
    assert shapes.shapes == 1
    doc = copy.deepcopy(base)
    _set(doc, path, value)
    expected = _generic(doc)
    for _ in range(2):
        try:
            event = Event.from_dict(copy.deepcopy(doc), strings_bounded=True)
            got = (event.doc, list(event.flat.items()), event.ts)
        except EventError as exc:
            got = ("refused", exc.field, exc.reason)
        assert got == expected


@pytest.mark.parametrize("blank", [("@timestamp",), ("event", "dataset"), ("event", "action"),
                                   ("@timestamp", "event", "action")])
def test_blank_required_strings_are_refused_as_the_generic_validator_refuses_them(shapes, blank):
    """The compiled guards leave blank time, dataset and action to core.event: same refusal, same field."""
    base = _http()
    Event.from_json(orjson.dumps(base))
    doc = copy.deepcopy(base)
    if blank[0] == "@timestamp":
        doc["@timestamp"] = " \t"
    if "action" in blank or "dataset" in blank:
        doc["event"][blank[-1]] = "  "
    raw = orjson.dumps(doc)
    expected = _generic(orjson.loads(raw))
    assert expected[0] == "refused"
    assert shapes.flatten(orjson.loads(raw)) is not None  # the compiled shape matched: core.event decided
    assert _via_json(raw) == expected
    assert _from_dict(doc) == expected


def _from_dict(doc):
    try:
        event = Event.from_dict(copy.deepcopy(doc), strings_bounded=True)
    except EventError as exc:
        return ("refused", exc.field, exc.reason)
    return (event.doc, list(event.flat.items()), event.ts)
