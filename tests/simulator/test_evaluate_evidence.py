"""Time to detect from the evidence: scored next to TTD from the start, only for truths that name it."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from core.alert import Alert
from core.event import format_timestamp
from simulator.attacks import Truth
from simulator.evaluate import Score, report, score_world
from simulator.world import generate

START = 1_795_000_000.0


def alert_at(ts: float, entity: str) -> Alert:
    return Alert(rule_id="r", rule_name="r", category="commission_fraud", severity="high", risk_score=80,
                 entity_type="distributor", entity_value=entity,
                 timestamp=format_timestamp(datetime.fromtimestamp(ts, tz=UTC)), event_ids=["x"], summary="s")


def world_of(*truths: Truth) -> SimpleNamespace:
    return SimpleNamespace(truth=list(truths), benign_entities=1000, events=[])


def test_ttd_from_the_evidence_is_scored_beside_ttd_from_the_start():
    ring = Truth("T1", "commission_fraud", "ring", ["op", "a1"], START, START + 9000, {"evidence_at": START + 3000})
    early = Truth("T2", "commission_fraud", "ring", ["op2"], START, START + 9000, {"evidence_at": START + 500})
    plain = Truth("T3", "commission_fraud", "spike", ["sp"], START, START)
    score = Score()
    score_world(world_of(ring, early, plain),
                [alert_at(START + 3012, "op"), alert_at(START + 200, "op2"), alert_at(START + 5, "sp")], score)
    assert score.ttd["commission_fraud/ring"] == [pytest.approx(3012, abs=0.01), pytest.approx(200, abs=0.01)]
    # An alert before the proof counts 0; a truth without `evidence_at` adds nothing.
    assert score.ttd_evidence == {"commission_fraud/ring": [pytest.approx(12, abs=0.01), 0.0]}
    text = report(score)
    assert "TTD from the evidence" in text
    row = next(line for line in text.splitlines() if line.startswith("commission_fraud/ring") and "2/2" in line
               and len(line.split()) == 4)
    assert row.split()[2:] == ["1606", "6"]  # medians: from the start, from the evidence
    assert "commission_fraud (these kinds)" in text


def test_without_evidence_the_report_is_unchanged():
    plain = Truth("T3", "commission_fraud", "spike", ["sp"], START, START)
    score = Score()
    score_world(world_of(plain), [alert_at(START + 5, "sp")], score)
    assert score.ttd_evidence == {} and "evidence" not in report(score)


def test_our_fraud_scenarios_name_a_moment_inside_them_that_an_event_carries():
    world = generate(3, distributors=120, baseline_days=2, test_days=1)
    fraud = [t for t in world.truth if t.family == "commission_fraud"]
    assert {t.kind for t in fraud} >= {"fake_account_ring", "slow_fake_ring", "shared_bank_account", "order_cycling"}
    stamps = {datetime.fromisoformat(doc["@timestamp"]).timestamp()
              for doc in world.events if doc["event"]["dataset"] in ("mlm.commerce", "mlm.audit")}
    for truth in fraud:
        at = truth.notes["evidence_at"]
        assert truth.start <= at <= truth.end, truth.kind
        assert min(abs(at - s) for s in stamps) < 0.01, truth.kind  # the evidence is a real event
    rings = [t for t in fraud if "ring" in t.kind]
    assert all(t.notes["evidence_at"] > t.start for t in rings)  # never the first sign-up: nothing ties it yet
