"""The pipeline driven from lists of dicts: normalizers, enrichment, stage order, dedupe, replay."""

from __future__ import annotations

import time

import orjson
import pytest
from builders import make_event_dict
from collector_testkit import FixedClock, published

from collector.normalize import NORMALIZERS, epoch_to_rfc3339, normalize
from collector.pipeline import Pipeline
import core.event as event_module
from core.event import DEFAULT_LIMITS, EventError
from core.event_shape import ShapeCache
from core.store import EventQuery


@pytest.fixture
def pipeline(settings, store, bus, clock):
    pipe = Pipeline(settings, store, bus, clock=clock)
    yield pipe
    pipe.stop()


def _ingest(pipe: Pipeline, records: list) -> tuple[int, list]:
    result = pipe.ingest(enumerate(records, start=1))
    return result.accepted, [(r.line, r.reason) for r in result.rejected]


def test_stages_are_declared_in_one_ordered_list(pipeline):
    names = [(s.name, s.phase) for s in pipeline.stages]
    assert names == [
        ("decode", "record"), ("normalize", "record"), ("validate", "record"), ("redact", "record"),
        ("enrich", "record"),
        ("encode", "record"), ("spool", "accept"), ("dedupe", "drain"), ("store", "drain"),
        ("publish", "drain"), ("remember", "drain"), ("checkpoint", "drain"),
    ]
    assert NORMALIZERS[0].__name__ == "require_object"


def test_flat_nested_and_mixed_input_become_the_same_event(pipeline, store):
    nested = make_event_dict(event__id="n1", user__id="42")
    flat = {"@timestamp": nested["@timestamp"], "event.id": "f1", "event.dataset": "mlm.auth",
            "event.action": "login", "user.id": "42", "source.ip": "203.0.113.10"}
    mixed = {"@timestamp": nested["@timestamp"], "event": {"id": "m1", "dataset": "mlm.auth"},
             "event.action": "login", "user": {"id": "42"}, "source.ip": "203.0.113.10"}
    assert _ingest(pipeline, [nested, flat, mixed]) == (3, [])
    pipeline.drain_pending()
    docs = {d["event"]["id"]: d for d in store.get_events(["n1", "f1", "m1"])}
    assert docs["f1"]["user"] == docs["m1"]["user"] == {"id": "42"}
    assert docs["f1"]["event"]["action"] == docs["m1"]["event"]["action"] == "login"


@pytest.mark.parametrize("value, expected", [
    (1_793_607_600, "2026-11-02T08:20:00.000Z"),  # epoch seconds
    (1_793_607_600_123, "2026-11-02T08:20:00.123Z"),  # milliseconds
    (1_793_607_600.5, "2026-11-02T08:20:00.500Z"),
    ("1793607600123", "2026-11-02T08:20:00.123Z"),  # digits in a string
    ("2026-11-02T10:20:00+02:00", "2026-11-02T08:20:00.000Z"),  # offsets become UTC
    ("2026-11-02T08:20:00", "2026-11-02T08:20:00.000Z"),  # naive is taken as UTC
])
def test_timestamps_become_rfc3339_utc(pipeline, store, value, expected):
    assert _ingest(pipeline, [make_event_dict(event__id="t", **{"@timestamp": value})]) == (1, [])
    pipeline.drain_pending()
    assert store.get_events(["t"])[0]["@timestamp"] == expected


def test_out_of_range_epoch_is_rejected():
    with pytest.raises(EventError, match="out of range"):
        epoch_to_rfc3339(-5)
    assert epoch_to_rfc3339(0) == "1970-01-01T00:00:00.000Z"


def test_types_are_coerced_and_enumerations_canonicalized():
    record = normalize({"event": {"outcome": " Failure ", "dataset": "MLM.Auth"},
                        "http.request.method": "post"}, DEFAULT_LIMITS)
    assert record == {"event": {"outcome": "failure", "dataset": "mlm.auth"}, "http.request.method": "POST"}


def test_numbers_in_strings_are_coerced_and_unknown_fields_kept(pipeline, store):
    event = make_event_dict(event__id="c1", http__response__status_code="503", custom__note="kept",
                            mlm__order__amount="12.50")
    assert _ingest(pipeline, [event]) == (1, [])
    pipeline.drain_pending()
    [doc] = store.get_events(["c1"])
    assert doc["http"]["response"]["status_code"] == 503
    assert doc["mlm"]["order"]["amount"] == 12.5
    assert doc["custom"] == {"note": "kept"}


def test_private_addresses_get_no_geo(pipeline, store):
    assert _ingest(pipeline, [make_event_dict(event__id="p1", source__ip="10.1.2.3")]) == (1, [])
    pipeline.drain_pending()
    [doc] = store.get_events(["p1"])
    assert "geo" not in doc["source"] and "as" not in doc["source"]
    assert doc["event"]["ingested"] == "2026-11-02T10:00:00.000Z"


def test_a_crashing_stage_rejects_one_record_not_the_batch(pipeline, monkeypatch):
    from collector import normalize as normalize_module

    def explode(record, limits):
        if record.get("user", {}).get("name") == "boom":
            raise RuntimeError("normalizer bug")
        return record

    monkeypatch.setattr(normalize_module, "NORMALIZERS", [*NORMALIZERS, explode])
    accepted, rejected = _ingest(pipeline, [make_event_dict(1), make_event_dict(2, user__name="boom")])
    assert accepted == 1
    assert rejected == [(2, "could not be processed")]


def test_retry_of_the_same_batch_is_stored_and_published_once(pipeline, store, bus):
    events = [make_event_dict(i) for i in range(20)]
    assert _ingest(pipeline, events)[0] == 20
    assert _ingest(pipeline, events + [events[0]])[0] == 21  # the client retries the whole batch
    pipeline.drain_pending()
    assert store.count_events(EventQuery()) == 20
    assert len(published(bus)) == 20
    assert pipeline.stats.duplicates == 21


def test_dedupe_window_expires(settings, store, bus):
    clock = FixedClock()
    pipe = Pipeline(settings, store, bus, clock=clock)
    event = make_event_dict(event__id="again")
    assert _ingest(pipe, [event])[0] == 1
    pipe.drain_pending()
    clock.advance(settings.dedupe_window_seconds + 61)
    pipe.dedupe.prune()
    assert len(pipe.dedupe) == 0
    assert _ingest(pipe, [event])[0] == 1
    pipe.drain_pending()
    assert len(published(bus)) == 2  # outside the window the bus sees it again; the store still once
    assert store.count_events(EventQuery()) == 1
    pipe.stop()


def test_undrained_batches_are_replayed_after_a_restart(settings, store, bus, clock):
    first = Pipeline(settings, store, bus, clock=clock)
    events = [make_event_dict(i) for i in range(30)]
    assert _ingest(first, events[:10])[0] == 10
    first.drain_pending()  # the first batch is delivered and checkpointed
    assert _ingest(first, events[10:])[0] == 20
    first.spool.close()  # "crash": accepted and spooled, never drained
    first.dedupe.close()

    second = Pipeline(settings, store, bus, clock=clock)
    assert second.spool.backlog_bytes > 0
    second.start()
    deadline = time.monotonic() + 10
    while second.spool.backlog_bytes and time.monotonic() < deadline:
        time.sleep(0.01)
    second.stop()
    assert store.count_events(EventQuery()) == 30
    assert sorted(e["event"]["id"] for _, e in published(bus)) == sorted(e["event"]["id"] for e in events)


def test_a_scalar_where_enrichment_goes_is_left_alone(pipeline, store):
    event = make_event_dict(event__id="s1", source__ip="8.8.8.8")
    event["source.geo"] = "somewhere"
    assert _ingest(pipeline, [event]) == (1, [])
    pipeline.drain_pending()
    [doc] = store.get_events(["s1"])
    assert doc["source"]["geo"] == "somewhere"
    assert doc["source"]["as"]["organization"]["name"]
    assert doc["event"]["ingested"] == "2026-11-02T10:00:00.000Z"


def test_serve_collector_is_a_subcommand_with_settings_from_flags(tmp_path, monkeypatch):
    from collector.cli import build_settings, serve
    from mlm_siem.cli import build_parser

    monkeypatch.setenv("MLM_SIEM_COLLECTOR_BUS_URL", "memory://from-env")
    args = build_parser().parse_args(["serve-collector", "--data-dir", str(tmp_path), "--port", "9123"])
    assert args.func is serve
    settings = build_settings(args)
    assert (settings.data_dir, settings.port, settings.bus_url) == (tmp_path, 9123, "memory://from-env")
    assert settings.resolved_store_url() == f"sqlite:///{tmp_path / 'events.db'}"


def test_events_the_store_refuses_are_quarantined_with_the_reason(settings, store, bus, clock):
    from core.store.base import WriteResult

    class PickyStore:
        def write_events(self, events):
            kept = [e for e in events if e.id != "refused"]
            result = store.write_events(kept)
            return WriteResult(stored=result.stored, rejected=[("refused", "mapping conflict on url.path")])

    pipe = Pipeline(settings, PickyStore(), bus, clock=clock)
    assert _ingest(pipe, [make_event_dict(1), make_event_dict(2, event__id="refused")])[0] == 2
    pipe.drain_pending()
    [entry] = pipe.quarantine.lines()
    assert entry["reason"] == "store refused refused: mapping conflict on url.path"
    assert '"id":"refused"' in entry["line"]
    assert store.count_events(EventQuery()) == 1
    pipe.stop()


def test_short_lines_take_the_compiled_shape_path_with_the_same_verdicts(pipeline, monkeypatch):
    """A line no longer than the longest allowed string cannot hide a too-long string: its event may
    be validated by a compiled shape; a longer line always gets the generic validator."""
    shapes = ShapeCache(event_module._NAMES)
    monkeypatch.setattr(event_module, "_SHAPES", shapes)
    lines = [orjson.dumps(make_event_dict(event__id=f"s{i}", url__path=f"/p/{i}")) for i in range(3)]
    lines.append(orjson.dumps(make_event_dict(event__id="long", url__path="/" + "a" * 70_000)))
    lines.append(orjson.dumps(make_event_dict(event__id="bad", source__ip="999.1.1.1")))
    accepted, rejected = _ingest(pipeline, lines)
    assert accepted == 3 and shapes.shapes == 1
    assert [line for line, _ in rejected] == [4, 5]
    assert "longer" in rejected[0][1] and "source.ip" in rejected[1][1]
