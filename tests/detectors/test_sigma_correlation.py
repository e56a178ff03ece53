"""Correlation rules on event time: windows, suppression, bounded state, evidence, entities."""

from __future__ import annotations

import pytest
from builders import make_event

from detectors.sigma import load_detector

BASE = """
title: {name}
id: {id}
name: {name}
description: d
logsource: {{product: mlm}}
detection:
  sel:
    event.action: {action}
  condition: sel
level: low
tags: [attack.t1110]
mlm: {{category: test}}
"""
CORR = """
title: corr
id: 9b4e28ba-2fa1-11d2-883f-0016d3cca400
name: corr
description: d
correlation:
  type: {type}
  rules: {rules}
  group-by: [{group}]
  timespan: {span}
  {extra}
level: high
tags: [attack.t1110]
mlm: {{category: test, risk_score: 88}}
"""


def detector(tmp_path, type_, rules=("a",), group="user.name", span="5m", extra="condition: {gte: 3}"):
    docs = [BASE.format(name=n, id=f"9b4e28ba-2fa1-11d2-883f-0016d3cca4{i:02d}", action=f"act_{n}")
            for i, n in enumerate(["a", "b", "c"], 1)]
    docs.append(CORR.format(type=type_, rules="[" + ", ".join(rules) + "]", group=group, span=span, extra=extra))
    (tmp_path / "r.yml").write_text("\n---\n".join(docs))
    return load_detector([tmp_path])


def run(det, events):
    return [a for e in events for a in det.process(e)]


def ev(t, action, **kw):
    return make_event(t, event__action=f"act_{action}", **kw)


def test_event_count_threshold_window_and_suppression(tmp_path):
    det = detector(tmp_path, "event_count")
    assert run(det, [ev(0, "a", user__name="amy"), ev(10, "a", user__name="amy")]) == []
    assert run(det, [ev(400, "a", user__name="amy")]) == []  # first two fell out of the window
    alerts = run(det, [ev(410, "a", user__name="amy"), ev(420, "a", user__name="amy")])
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.risk_score == 88 and alert.severity == "high" and alert.category == "test"
    assert alert.entity_type == "user" and alert.entity_value == "amy" and len(alert.event_ids) == 3
    assert alert.timestamp == "2026-11-02T09:07:00.000Z"
    # Still attacking inside the suppression window: no new alert; after it, one more.
    assert run(det, [ev(430 + i, "a", user__name="amy") for i in range(100)]) == []
    assert len(run(det, [ev(725, "a", user__name="amy")])) == 1
    # Other groups are independent; events without the group field are ignored.
    assert run(det, [ev(800, "a", user__name="bob"), ev(801, "a", user__name=None)]) == []


def test_evidence_is_capped_at_one_hundred(tmp_path):
    det = detector(tmp_path, "event_count", extra="condition: {gte: 150}")
    alerts = run(det, [ev(i, "a", user__name="amy") for i in range(150)])
    assert len(alerts) == 1 and len(alerts[0].event_ids) == 100


def test_value_count_counts_distinct_values_in_window(tmp_path):
    det = detector(tmp_path, "value_count", group="source.ip",
                   extra="condition: {gte: 3, field: user.name}")
    same = [ev(i, "a", user__name="amy", source__ip="198.51.100.1") for i in range(10)]
    assert run(det, same) == []
    alerts = run(det, [ev(20, "a", user__name="bob", source__ip="198.51.100.1"),
                       ev(30, "a", user__name="cy", source__ip="198.51.100.1")])
    assert [(a.entity_type, a.entity_value) for a in alerts] == [("ip", "198.51.100.1")]


def test_temporal_any_order(tmp_path):
    det = detector(tmp_path, "temporal", rules=("a", "b"), span="10m", extra="")
    assert len(run(det, [ev(0, "b", user__name="amy"), ev(60, "a", user__name="amy")])) == 1
    assert run(det, [ev(2000, "b", user__name="bob"), ev(3000, "a", user__name="bob")]) == []


def test_temporal_ordered_needs_the_order(tmp_path):
    det = detector(tmp_path, "temporal_ordered", rules=("a", "b", "c"), span="10m", extra="")
    assert run(det, [ev(0, "b", user__name="amy"), ev(1, "a", user__name="amy"), ev(2, "c", user__name="amy")]) == []
    alerts = run(det, [ev(3, "b", user__name="amy"), ev(4, "c", user__name="amy")])
    assert len(alerts) == 1 and len(alerts[0].event_ids) == 3
    # Steps too far apart do not chain.
    assert run(det, [ev(1000, "a", user__name="bob"), ev(1100, "b", user__name="bob"),
                     ev(1700, "c", user__name="bob")]) == []


def test_state_expires_with_event_time_and_is_capped(tmp_path):
    det = detector(tmp_path, "event_count", extra="condition: {gte: 50}")
    corr = det.correlations[0]
    run(det, [ev(i * 0.2, "a", user__name=f"u{i}") for i in range(1000)])
    assert len(corr.groups) == 1000
    run(det, [ev(5000 + 30 * k, "a", user__name="late") for k in range(20)])
    assert len(corr.groups) == 1  # idle groups swept once event time moved past the window
    corr.max_groups = 100
    run(det, [ev(6000 + i * 0.01, "a", user__name=f"v{i}") for i in range(500)])
    assert len(corr.groups) <= 100


def test_out_of_range_threshold_is_refused(tmp_path):
    with pytest.raises(ValueError, match="condition count"):
        detector(tmp_path, "event_count", extra="condition: {gte: 20000}")
    with pytest.raises(ValueError, match="only gt, gte and eq"):
        detector(tmp_path, "event_count", extra="condition: {lt: 3}")


def test_broken_rule_is_counted_not_raised(tmp_path):
    det = detector(tmp_path, "event_count")
    rule = det.rules[0]

    def boom(flat):
        raise RuntimeError("bug")

    rule.matcher.match = boom
    assert det.process(ev(0, "a", user__name="amy")) == []
    assert det.errors[rule.meta.rule_id] == 1


def test_a_future_stamped_event_does_not_wipe_state(tmp_path):
    det = detector(tmp_path, "event_count")
    run(det, [ev(0, "a", user__name="amy"), ev(1, "a", user__name="amy")])
    run(det, [ev(10 * 365 * 86400, "a", user__name="mallory")])  # ten years ahead
    assert len(run(det, [ev(2, "a", user__name="amy")])) == 1


def test_per_group_state_stays_small_under_repetition(tmp_path):
    det = detector(tmp_path, "value_count", group="source.ip", extra="condition: {gte: 3, field: user.name}")
    events = [ev(0, "a", user__name="bob", source__ip="198.51.100.1")]
    events += [ev(1 + i * 0.01, "a", user__name="amy", source__ip="198.51.100.1") for i in range(5000)]
    events += [ev(100, "a", user__name="cy", source__ip="198.51.100.1")]
    alerts = run(det, events)
    assert len(alerts) == 1 and alerts[0].event_ids == [events[0].id, events[-2].id, events[-1].id]
    assert len(det.correlations[0].groups[("198.51.100.1",)].latest) == 3
    det = detector(tmp_path, "event_count", extra="condition: {gte: 10}")
    run(det, [ev(i * 0.01, "a", user__name="amy") for i in range(5000)])
    assert len(det.correlations[0].groups[("amy",)].items) <= 101


def test_sweeps_skipped_while_every_group_is_fresh_still_drop_idle_groups(tmp_path):
    det = detector(tmp_path, "event_count")
    corr = det.correlations[0]
    run(det, [ev(0, "a", user__name="old")])
    # A steady stream for another entity: many sweeps, most of them with nothing idle to drop.
    run(det, [ev(t, "a", user__name="busy") for t in range(30, 1200, 30)])
    assert set(corr.groups) == {("busy",)}  # "old" went once it was idle past the window
    run(det, [ev(1230, "a", user__name="new")])
    run(det, [ev(t, "a", user__name="busy") for t in range(1260, 2400, 30)])
    assert set(corr.groups) == {("busy",)}


def test_a_later_step_without_its_first_opens_no_group(tmp_path):
    det = detector(tmp_path, "temporal_ordered", rules=("a", "b"), span="10m", extra="")
    assert run(det, [ev(i, "b", user__name=f"u{i}") for i in range(500)]) == []
    assert det.correlations[0].groups == {}  # a login per user must not hold state for every user
    assert len(run(det, [ev(600, "a", user__name="u1"), ev(601, "b", user__name="u1")])) == 1


def test_groups_touched_again_stay_while_idle_ones_are_swept(tmp_path):
    det = detector(tmp_path, "event_count", extra="condition: {gte: 50}")
    corr = det.correlations[0]
    run(det, [ev(0, "a", user__name="first"), ev(1, "a", user__name="second")])
    run(det, [ev(t, "a", user__name="first") for t in range(30, 900, 30)])  # "first" stays active
    assert set(corr.groups) == {("first",)}


def test_upper_case_actions_reach_their_rules(tmp_path):
    det = detector(tmp_path, "event_count")
    events = [make_event(t, event__action="ACT_A", user__name="amy") for t in range(3)]
    assert len(run(det, events)) == 1




def with_mlm(tmp_path, type_, mlm, **kw):
    """A correlation whose `mlm:` mapping is `mlm` (rules a, b, c as in `detector`)."""
    extra = kw.pop("extra", "")
    detector(tmp_path, type_, extra=extra, **kw)
    path = tmp_path / "r.yml"
    path.write_text(path.read_text().replace("mlm: {category: test, risk_score: 88}", f"mlm: {mlm}"))
    return load_detector([tmp_path])


def test_known_from_needs_a_novelty_sequence_and_a_rule_that_runs(tmp_path):
    with pytest.raises(ValueError, match="known_from"):
        with_mlm(tmp_path, "event_count", "{category: test, known_from: [b]}", extra="condition: {gte: 3}")
    with pytest.raises(ValueError, match="known_from names 'nope'"):
        with_mlm(tmp_path, "temporal_ordered", "{category: test, new_value_of: mlm.device.id, known_from: [nope]}",
                 rules=("a", "b"))


def test_known_from_rules_teach_the_values_a_later_step_is_judged_against(tmp_path):
    det = with_mlm(tmp_path, "temporal_ordered", "{category: test, new_value_of: mlm.device.id, known_from: [c]}",
                   rules=("a", "b"), span="1h")
    assert det.actions == frozenset({"act_a", "act_b", "act_c"})

    def corr(events):  # c is no step of the correlation, so it also alerts on its own: left out here
        return [a for a in run(det, events) if a.rule_name == "corr"]

    def seq(t, user, device, taught=None):
        first = [ev(t - 86400, "c", user__name=user, mlm__device__id=taught)] if taught else []
        return first + [ev(t - 60, "c", user__name=user, mlm__device__id=device),
                        ev(t, "a", user__name=user), ev(t + 60, "b", user__name=user, mlm__device__id=device)]

    assert corr(seq(100_000, "amy", "home", taught="home")) == []  # the usual device
    assert len(corr(seq(200_000, "bob", "stranger", taught="home"))) == 1  # a device first seen a minute ago
    assert corr(seq(300_000, "cy", "first")) == []  # nothing older known: no judgement
    assert corr([ev(400_000, "a", user__name="dee"), ev(400_060, "b", user__name="dee")]) == []  # absent: no judgement
