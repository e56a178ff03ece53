"""The demo's business scenarios: valid, current, ordered, fresh ids, and each one opens its family's alert."""

from __future__ import annotations

import time

import httpx
import orjson
import pytest

from core.event import Event
from detectors.base import DetectorConfig
from detectors.engine import Engine
from simulator.demo_feed import (
    ATO_KINDS,
    CAMPAIGNS,
    FRAUD_KINDS,
    Feed,
    ScenarioSource,
    app_username,
    schedule,
    stamp,
)


@pytest.fixture(scope="module")
def source() -> ScenarioSource:
    return ScenarioSource(7)


class Collector:
    """A stand-in collector answering like the real one; keeps every posted body."""

    def __init__(self, reject_first: bool = False) -> None:
        self.lines: list[bytes] = []
        self.reject_first = reject_first

    def handler(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer t0k"
        lines = request.content.split(b"\n")
        self.lines += lines
        rejected = [{"line": 1, "reason": "test"}] if self.reject_first else []
        self.reject_first = False  # only the first post has a bad line
        return httpx.Response(200, json={"accepted": len(lines) - len(rejected), "rejected": rejected})


def played(kind_events: list[dict], span: float, collector: Collector) -> tuple[Feed, float, list[dict]]:
    feed = Feed("http://collector", "t0k", transport=httpx.MockTransport(collector.handler))
    start = time.time()
    took = feed.play(kind_events, span)
    assert 0 <= took <= span + 1e-6
    assert feed.send_due(start - 1) == 0  # nothing is due before it starts
    middle = start + took / 2
    early = feed.send_due(middle)
    # Never ahead of the clock: what went out by `middle` happened by then; the rest waits.
    assert all(orjson.loads(line)["@timestamp"] <= stamp({"event": {}}, middle, "-")["@timestamp"]
               for line in collector.lines)
    late = feed.send_due(start + span + 1)
    assert early + late == len(kind_events) and feed.pending() == 0
    return feed, start, [orjson.loads(line) for line in collector.lines]


def test_world_people_carry_the_login_names_of_the_seeded_app(source):
    assert app_username("D000042") == "dist000042"
    assert all(p.username == app_username(p.user_id) for p in source.people)
    assert source.people[0].user_id == "D000001"


@pytest.mark.parametrize("kind", sorted(CAMPAIGNS))
def test_played_events_are_valid_current_ordered_and_fresh(source, kind):
    events = source.make(kind)
    originals = orjson.dumps(events)
    collector = Collector()
    feed, start, posted = played(events, source.span(kind), collector)
    parsed = [Event.from_dict(doc) for doc in posted]  # every one meets the contract
    stamps = [e.ts for e in parsed]
    assert stamps == sorted(stamps)
    assert start - 0.01 <= stamps[0] and stamps[-1] <= start + source.span(kind) + 0.01
    ids = [e.id for e in parsed]
    assert len(set(ids)) == len(ids) and all(i.startswith(f"demo-{feed.run_tag}-") for i in ids)
    assert not set(ids) & {e["event"]["id"] for e in events}
    assert orjson.dumps(events) == originals  # the scenario itself is not modified
    assert feed.sent == len(events)


def test_each_start_gets_new_ids_so_the_collector_does_not_drop_a_restart(source):
    events = source.make("shared_bank_account")
    _, _, first = played(events, 5, Collector())
    _, _, second = played(events, 5, Collector())
    assert not {e["event"]["id"] for e in first} & {e["event"]["id"] for e in second}


def test_schedule_squeezes_long_scenarios_and_keeps_short_ones():
    base = {"event": {"id": "x"}}
    events = [{**base, "@timestamp": f"2026-11-02T10:{m:02d}:00Z"} for m in (0, 10, 40)]
    assert [round(d, 3) for d, _ in schedule(events, 20.0)] == [0.0, 5.0, 20.0]
    assert [d for d, _ in schedule(events, 7200.0)] == [0.0, 600.0, 2400.0]
    assert schedule([], 10.0) == []
    copy = stamp(events[0], 1_800_000_000.5, "new")
    assert copy["@timestamp"].startswith("2027-01-15T08:00:00.5") and copy["event"]["id"] == "new"
    assert events[0]["event"]["id"] == "x"


def test_rejected_lines_are_counted_not_fatal(source):
    feed, _, _ = played(source.make("shared_bank_account"), 5, Collector(reject_first=True))
    assert feed.rejected == 1


def test_an_unreachable_collector_drops_the_batch_and_the_feed_goes_on(source):
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    feed = Feed("http://collector", "t0k", transport=httpx.MockTransport(down))
    feed.play(source.make("shared_bank_account"), 1)
    assert feed.send_due(time.time() + 2) > 0 and feed.sent == 0 and feed.pending() == 0


def test_every_scenario_opens_an_alert_of_its_family():
    source = ScenarioSource(7)  # its own: what a scenario looks like depends on what was drawn before
    engine = Engine.build(DetectorConfig(families=["sigma", "ato", "fraud"]), strict=True)
    kinds = [(kind, "commission_fraud") for kind in FRAUD_KINDS] + [(kind, "account_takeover") for kind in ATO_KINDS]
    for kind, family in kinds:
        collector = Collector()
        played(source.make(kind), source.span(kind), collector)
        found = set()
        for line in collector.lines:
            found |= {a.category for a in engine.process(Event.from_json(line))}
        found |= {a.category for a in engine.flush()}
        assert family in found, f"{kind} raised {found or 'nothing'}"
