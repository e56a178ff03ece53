"""A small simulated world with the newer variants and hard negatives (simulator/fraud.py and
simulator/benign.py, appended functions): a ring fed slowly over a day, families signing up on
one computer with one joint account, partners joining one account. The ring is found by its
fourth account; the families and partners raise no commission-fraud alert."""

from __future__ import annotations

import random

import pytest

from core.event import Event, parse_timestamp
from detectors.base import DetectorConfig, Trainable
from detectors.fraud import build
from simulator import benign, fraud
from simulator.events import Emitter
from simulator.ipplan import build_plan
from simulator.population import grow_population
from simulator.world import DAY, START, _days

BASELINE_DAYS, TEST_DAYS = 3, 2


@pytest.fixture(scope="module")
def world():
    rng = random.Random(11)
    plan = build_plan(11)
    people = grow_population(rng, plan, 250)
    base, test = Emitter(111), Emitter(112)
    _days(base, rng, plan, people, 0, BASELINE_DAYS)
    _days(test, rng, plan, people, BASELINE_DAYS, BASELINE_DAYS + TEST_DAYS)
    first = START + BASELINE_DAYS * DAY
    rings = [fraud.slow_fake_ring(test, rng, plan, people, first + 3600 + i * 6 * 3600) for i in range(3)]
    quiet = [benign.family_signup(test, rng, plan, people, first + 2 * 3600 + i * 9000) for i in range(4)]
    quiet += [benign.partner_joins_bank(test, rng, plan, people, first - 2 * DAY + i * 3600) for i in range(4)]
    benign.enrollment_meeting(test, rng, plan, people, first + 20 * 3600)
    detectors = build(DetectorConfig())
    for doc in sorted(base.events, key=lambda e: e["@timestamp"]):
        event = Event.from_dict(doc)
        for d in detectors:
            d.observe_baseline(event) if isinstance(d, Trainable) else d.process(event)
    for d in detectors:
        if isinstance(d, Trainable):
            d.fit_baseline()
    alerts = [a for doc in sorted(test.events, key=lambda e: e["@timestamp"])
              for d in detectors for a in d.process(Event.from_dict(doc))]
    return rings, quiet, alerts, test.events


def test_slow_rings_are_found_by_their_fourth_account(world):
    rings, _, alerts, events = world
    enrolled = {e["mlm"]["distributor"]["id"]: parse_timestamp(e["@timestamp"]).timestamp()
                for e in events if e["event"]["action"] == "distributor_enrolled"}
    for truth in rings:
        members = truth.entities[1:]
        named = [parse_timestamp(a.timestamp).timestamp() for a in alerts if a.entity_value in truth.entities]
        assert named, f"{truth.kind} of {len(members)} went unnoticed"
        assert min(named) <= enrolled[members[3]] + 420  # its fourth account's enrollment or starter order


def test_families_and_partners_raise_no_fraud_alert(world):
    _, quiet, alerts, _ = world
    innocent = {who for group in quiet for who in group}
    assert sorted((a.rule_id, a.entity_value) for a in alerts if a.entity_value in innocent) == []
