"""Commission spikes: trained on a baseline, scored in batches, saved and loaded with their schema."""

from __future__ import annotations

import random

import pytest
from builders import make_event
from fraud_helpers import DAY, commerce, run, seconds_of

from detectors.fraud.spikes import CommissionSpikes


def month(i: int) -> str:
    return f"2026-{i + 1:02d}"


def payroll(i: int, people: int, rng: random.Random, t0: float = 0.0) -> list:
    """Period i's commissions: each distributor earns about their usual, from their usual downline."""
    events = []
    for p in range(people):
        usual = 50 + 20 * (p % 30)
        amount = round(usual * rng.uniform(0.7, 1.4), 2)
        sources = [f"p{p}-d{k}" for k in range(2 + p % 6)]
        events.append(commerce(t0 + i * 30 * DAY + p, f"p{p}", "commission_calculated",
                               mlm__commission__period=month(i), mlm__commission__amount=amount,
                               mlm__commission__source_ids=sources))
    return events


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    rng = random.Random(3)
    det = CommissionSpikes()
    for i in range(6):
        for event in payroll(i, 300, rng):
            det.observe_baseline(event)
    det.fit_baseline()
    directory = tmp_path_factory.mktemp("models")
    det.save(directory)
    return directory


def loaded(directory) -> CommissionSpikes:
    det = CommissionSpikes()
    assert det.load(directory)
    return det


def test_fitted_model_is_saved_with_schema_and_loaded(trained):
    det = loaded(trained)
    assert det.model is not None and det.threshold < 0
    assert len(det.histories) == 300
    assert (trained / "fraud_commission_spikes" / "estimator.joblib").exists()


def test_spike_without_downline_growth_alerts_within_a_minute(trained):
    det = loaded(trained)
    rng = random.Random(4)
    events = payroll(6, 300, rng)
    spike_at = 6 * 30 * DAY + 500
    events.append(commerce(spike_at, "p7", "commission_calculated", mlm__commission__period=month(6),
                           mlm__commission__amount=5000.0, mlm__commission__source_ids=["p7-d0", "p7-d1"]))
    events.append(commerce(spike_at + 45, "p1", "rank_changed"))  # later traffic changes nothing
    alerts = [a for e in events for a in det.process(e)]
    assert [a.entity_value for a in alerts] == ["p7"]
    assert seconds_of(alerts[0]) == spike_at and alerts[0].category == "commission_fraud"
    assert "attack.t1657" in alerts[0].tags


def test_growth_explained_raise_and_normal_months_stay_quiet(trained):
    det = loaded(trained)
    rng = random.Random(5)
    events = payroll(6, 300, rng)
    grown = [f"p9-d{k}" for k in range(40)]  # a real recruiting month: 8x the downline
    events.append(commerce(6 * 30 * DAY + 600, "p9", "commission_calculated", mlm__commission__period=month(6),
                           mlm__commission__amount=2500.0, mlm__commission__source_ids=grown))
    assert run(det, events) == []


def test_without_history_nothing_is_judged():
    det = CommissionSpikes()
    first = [commerce(0, "new", "commission_calculated", mlm__commission__period="2026-01",
                      mlm__commission__amount=9000.0)]
    assert run(det, first) == []


def test_rule_gate_alone_works_without_a_baseline():
    det = CommissionSpikes()
    events = [e for i in range(4) for e in payroll(i, 5, random.Random(i))]
    events.append(commerce(4 * 30 * DAY, "p3", "commission_calculated", mlm__commission__period=month(4),
                           mlm__commission__amount=4000.0, mlm__commission__source_ids=["p3-d0"]))
    alerts = run(det, events)  # scored at its own event (no batch)
    assert [a.entity_value for a in alerts] == ["p3"]


def test_model_of_another_schema_is_refused(trained, tmp_path):
    meta = (trained / "fraud_commission_spikes" / "meta.json").read_text()
    (tmp_path / "fraud_commission_spikes").mkdir()
    (tmp_path / "fraud_commission_spikes" / "meta.json").write_text(meta.replace('"robust_z"', '"other"'))
    assert not CommissionSpikes().load(tmp_path)


def test_engine_routes_only_commissions_and_the_spike_alerts_at_its_own_event(trained):
    """The detector sees commission events only, so nothing later may be needed to release an alert."""
    from detectors.engine import Engine

    det = loaded(trained)
    engine = Engine([det])
    http = make_event(6 * 30 * DAY, event__dataset="mlm.http", event__action="http_request")
    assert engine._route("mlm.http", "http_request") == [] and engine.process(http) == []
    events = payroll(6, 300, random.Random(4))
    spike = commerce(6 * 30 * DAY + 500, "p7", "commission_calculated", mlm__commission__period=month(6),
                     mlm__commission__amount=5000.0, mlm__commission__source_ids=["p7-d0", "p7-d1"])
    found = [(e.id, a.entity_value) for e in [*events, spike] for a in engine.process(e)]
    assert found == [(spike.id, "p7")]
