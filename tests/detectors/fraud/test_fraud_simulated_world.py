"""End to end on a simulated MLM world: every ATO and commission-fraud scenario found, benign crowds quiet.

The world (simulator/) holds a benign baseline week and two test days with attacks and hard
negatives (travellers, VPN users, a shared office, households, a flash sale, an enrollment
meeting). Detectors warm exactly as the engine does: models observe the baseline, stateful
detectors process it, and no baseline alert counts.
"""

from __future__ import annotations

import pytest

from core.event import Event
from detectors.ato import build as build_ato
from detectors.base import DetectorConfig, Flushable, Trainable
from detectors.fraud import build as build_fraud
from simulator.evaluate import Score, score_world
from simulator.world import generate

MINE = {"credential_stuffing", "password_spraying", "impossible_travel", "session_hijack", "payout_redirection",
        "fake_account_ring", "shared_bank_account", "sponsor_funded_orders", "order_cycling", "commission_spike"}


@pytest.fixture(scope="module")
def scored():
    world = generate(5, distributors=300)
    detectors = build_ato(DetectorConfig()) + build_fraud(DetectorConfig())
    trainable = [isinstance(d, Trainable) for d in detectors]
    for doc in world.baseline:
        event = Event.from_dict(doc)
        for detector, learns in zip(detectors, trainable):
            detector.observe_baseline(event) if learns else detector.process(event)
    for detector, learns in zip(detectors, trainable):
        if isinstance(detector, Flushable):
            detector.flush()
        if learns:
            detector.fit_baseline()
    alerts = []
    for doc in world.events:
        event = Event.from_dict(doc)
        for detector in detectors:
            alerts.extend(detector.process(event))
    alerts += [a for d in detectors if isinstance(d, Flushable) for a in d.flush()]
    score = Score()
    score_world(world, alerts, score)
    return score


def test_every_scenario_of_the_ato_and_fraud_families_is_found(scored):
    mine = {key: hits for key, hits in scored.found.items() if key.split("/")[1] in MINE}
    assert len(mine) == len(MINE)
    assert sorted(key for key, hits in mine.items() if not all(hits)) == []


def test_no_false_positive_among_the_benign_entities(scored):
    """The bar is 3 per 10,000 benign entities; this world has under 3,000 of them, so: none."""
    assert 500 < scored.benign_entities < 3000
    assert {family: sorted(items) for family, items in scored.false_positives.items() if items} == {}
