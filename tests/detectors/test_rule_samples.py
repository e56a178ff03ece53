"""Every rule's samples: positive sequences give the expected alerts, negative ones give none."""

from __future__ import annotations

import pytest
from rule_samples import expand, load_cases

from detectors.sigma import PACKAGED_RULES, load_detector

CASES = load_cases()


@pytest.fixture(scope="module")
def rule_dirs():
    return [PACKAGED_RULES]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_sample(case, rule_dirs):
    detector = load_detector(rule_dirs)  # fresh state per case
    events = expand(case)
    ids = {e.id for e in events}
    alerts = [a for e in events for a in detector.process(e) if a.rule_id == case.rule]
    assert len(alerts) == case.alerts, [a.summary for a in alerts]
    for alert in alerts:
        assert alert.entity_value == case.entity
        assert alert.event_ids and set(alert.event_ids) <= ids
        assert any(t.startswith("attack.t") for t in alert.tags)
        assert alert.summary and "?" not in alert.summary


def test_every_alerting_rule_has_positive_and_negative_samples():
    detector = load_detector([PACKAGED_RULES])
    alerting = {r.meta.rule_id for r in detector.rules if r.output} | {c.meta.rule_id for c in detector.correlations}
    positive = {c.rule for c in CASES if c.match}
    negative = {c.rule for c in CASES if not c.match}
    assert not alerting - positive, f"rules without a positive sample: {sorted(alerting - positive)}"
    assert not alerting - negative, f"rules without a negative sample: {sorted(alerting - negative)}"
    assert not (positive | negative) - alerting, "samples name rules that do not exist or never alert"
