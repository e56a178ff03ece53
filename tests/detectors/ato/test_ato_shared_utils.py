"""The shared model utilities (detectors/anomaly) the stateful detectors stand on: bounds, batches, files."""

from __future__ import annotations

import numpy as np
from builders import make_event_dict
from hypothesis import given, settings
from hypothesis import strategies as st

from core.event import Event
from core.schema import ACTIONS
from detectors.anomaly.batch import BatchScorer
from detectors.anomaly.models import FeatureSchema, load_model, save_model
from detectors.anomaly.state import BoundedMap, SlidingWindow, Suppressor
from detectors.ato import build as build_ato
from detectors.base import DetectorConfig
from detectors.fraud import build as build_fraud


def test_bounded_map_caps_and_expires_by_event_time():
    m: BoundedMap[int, str] = BoundedMap(cap=3, ttl=100)
    for i in range(5):
        m.put(i, float(i), str(i))
    assert len(m) == 3 and 0 not in m and 1 not in m
    assert m.get(4, 50.0) == "4"
    assert m.get(2, 150.0) is None  # idle past the ttl at event time 150
    m.put(9, 500.0, "9")
    assert [k for k, _ in m.items()] == [9]


def test_suppressor_gives_one_alert_per_window():
    s = Suppressor(window=60)
    assert [s.allow("k", t) for t in (0, 10, 59, 61, 62)] == [True, False, False, True, False]


def test_sliding_window_reports_what_falls_out():
    w: SlidingWindow[str] = SlidingWindow(span=10, cap=3)
    assert w.add(0, "a") == [] and w.add(5, "b") == []
    assert w.add(12, "c") == ["a"]
    assert w.add(13, "d") == [] and w.add(14, "e") == ["b"]  # the cap drops the oldest
    assert w.values() == ["c", "d", "e"]


def test_batch_scorer_scores_in_batches_and_within_the_delay():
    calls: list[int] = []
    schema = FeatureSchema("t", 1, ("x",))

    def score(m: np.ndarray) -> np.ndarray:
        calls.append(len(m))
        return m[:, 0] * 2

    b: BatchScorer[str] = BatchScorer(schema, score, batch_size=3, max_delay=30)
    assert b.add(0, {"x": 1}, "a") == [] and b.add(1, {"x": 2}, "b") == []
    assert b.add(2, {"x": 3}, "c") == [(2.0, "a"), (4.0, "b"), (6.0, "c")]
    assert b.add(10, {"x": 5}, "d") == [] and b.tick(39) == []
    assert b.tick(40) == [(10.0, "d")]  # overdue by event time
    assert calls == [3, 1] and b.drain() == []


def test_models_are_versioned_and_written_whole(tmp_path):
    schema = FeatureSchema("m", 2, ("a", "b"))
    save_model(tmp_path, schema, {"k": [1, 2]})
    assert load_model(tmp_path, schema) == ({"k": [1, 2]}, None)
    assert load_model(tmp_path, FeatureSchema("m", 3, ("a", "b"))) is None
    assert load_model(tmp_path, FeatureSchema("m", 2, ("a",))) is None
    assert not list(tmp_path.glob("m/*.tmp"))


TEXT = st.text(max_size=40)
FIELDS = {
    "user__id": TEXT, "user__name": TEXT, "mlm__session__id": TEXT, "mlm__device__id": TEXT,
    "source__geo__country_iso_code": st.sampled_from(["US", "BR", "xx", "", "ZZ"]),
    "user_agent__original": TEXT, "mlm__distributor__id": TEXT, "mlm__sponsor__id": TEXT,
    "mlm__order__id": TEXT, "mlm__order__pv": st.floats(allow_nan=True), "mlm__commission__period": TEXT,
    "mlm__commission__amount": st.floats(allow_nan=True, allow_infinity=True),
    "mlm__commission__source_ids": st.lists(TEXT, max_size=5), "mlm__bank__fingerprint": TEXT,
    "mlm__payment__fingerprint": TEXT, "mlm__placement__parent_id": TEXT, "mlm__email__domain": TEXT,
    "mlm__auth__failure_reason": st.sampled_from(["bad_password", "unknown_user", "x"]),
}
ACTION = st.sampled_from([(d, a) for d, actions in ACTIONS.items() for a in actions])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(ACTION, st.sampled_from(["success", "failure"]),
                          st.fixed_dictionaries({}, optional=FIELDS)), min_size=1, max_size=12))
def test_hostile_field_values_never_crash_a_detector(items):
    detectors = build_ato(DetectorConfig()) + build_fraud(DetectorConfig())
    for i, ((dataset, action), outcome, fields) in enumerate(items):
        event = Event.from_dict(make_event_dict(i * 30.0, event__dataset=dataset, event__action=action,
                                                event__outcome=outcome, **fields))
        for detector in detectors:
            for alert in detector.process(event):
                assert 0 <= alert.risk_score <= 100 and alert.event_ids
    for detector in detectors:
        getattr(detector, "flush", list)()


@given(st.lists(st.one_of(st.integers(0, 300), st.sampled_from(["00", "07", "010", "-1", "+1", " 1", "١"])),
                min_size=3, max_size=5))
@settings(max_examples=300, deadline=None)
def test_network_of_fast_path_answers_as_ipaddress_does(parts):
    """The dotted-quad shortcut gives the same /24 as the ipaddress module, or None where it refuses."""
    import ipaddress

    from detectors.anomaly.alerts import network_of
    text = ".".join(str(p) for p in parts)
    try:
        expected: str | None = str(ipaddress.ip_network(f"{ipaddress.ip_address(text)}/24", strict=False))
    except ValueError:
        expected = None
    assert network_of.__wrapped__(text) == expected
