"""The engine isolates failures, counts them, flushes buffers and warms on a baseline silently."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from builders import make_event

from core.alert import Alert
from detectors import registry
from detectors.base import DetectorConfig
from detectors.engine import Engine


def alert_for(event, rule="r1", category="test"):
    return Alert(rule_id=rule, rule_name=rule, category=category, severity="low", risk_score=10,
                 entity_type="user", entity_value="amy", timestamp=event.timestamp,
                 event_ids=[event.id], summary="s")


class Echo:
    """Alerts on every event; buffers one alert for flush."""

    name = "echo"

    def __init__(self):
        self.seen = 0

    def process(self, event):
        self.seen += 1
        return [alert_for(event)]

    def flush(self):
        return [alert_for(make_event(0), rule="flushed")]


class Broken:
    name = "broken"

    def process(self, event):
        raise KeyError("boom")


class Model:
    name = "model"

    def __init__(self):
        self.observed, self.fitted, self.processed = 0, False, 0

    def process(self, event):
        self.processed += 1
        return [alert_for(event, rule="model")]

    def observe_baseline(self, event):
        self.observed += 1

    def fit_baseline(self):
        self.fitted = True

    def save(self, directory: Path):
        pass

    def load(self, directory: Path):
        return False


def test_a_failing_detector_is_logged_counted_and_skipped(caplog):
    echo = Echo()
    engine = Engine([Broken(), echo])
    with caplog.at_level(logging.ERROR):
        alerts = [a for i in range(3) for a in engine.process(make_event(i, event__id=f"evil-{i}\n"))]
    assert len(alerts) == 3 and echo.seen == 3
    assert engine.errors["broken"] == 3
    assert "broken" in caplog.text and "'evil-0\\n'" in caplog.text  # id repr-escaped in the log
    stats = engine.stats()
    assert stats["events"] == 3 and stats["alerts_by_rule"] == {"r1": 3}
    assert stats["detector_errors"] == {"broken": 3}


def test_flush_collects_buffered_alerts():
    engine = Engine([Echo(), Broken()])
    assert [a.rule_id for a in engine.flush()] == ["flushed"]


def test_warm_feeds_models_and_rules_without_alerts():
    echo, model = Echo(), Model()
    engine = Engine([echo, model])
    assert engine.warm(make_event(i) for i in range(5)) == 5
    assert echo.seen == 5 and model.observed == 5 and model.fitted and model.processed == 0
    assert engine.stats()["alerts_by_rule"] == {}


def test_build_reports_a_broken_family_and_keeps_the_others(monkeypatch):
    monkeypatch.setitem(registry.FAMILY_MODULES, "broken", "json")  # a module without build()
    engine = Engine.build(DetectorConfig(families=["sigma", "broken"]))
    assert [d.name for d in engine.detectors] == ["sigma"]
    assert "broken" in engine.build_errors
    with pytest.raises(AttributeError):
        Engine.build(DetectorConfig(families=["sigma", "broken"]), strict=True)


def test_build_with_rules_only_runs_sigma(tmp_path):
    engine = Engine.build(DetectorConfig(rules_dirs=[Path(__file__).parents[2] / "detectors" / "rules"],
                                         only_rules=True))
    assert [d.name for d in engine.detectors] == ["sigma"]


def test_detectors_declaring_actions_only_see_those_events():
    echo, picky = Echo(), Echo()
    picky.actions = frozenset({"logout"})
    engine = Engine([echo, picky])
    engine.process(make_event(0, event__action="login"))
    engine.process(make_event(1, event__action="logout"))
    engine.process(make_event(2, event__action="x" * 200))  # unknown verbs are routed but never cached
    assert echo.seen == 3 and picky.seen == 1
    assert set(engine._routes) == {("mlm.auth", "login"), ("mlm.auth", "logout")}


def test_detectors_declaring_datasets_only_see_those_events():
    echo, http_only = Echo(), Echo()
    http_only.datasets = frozenset({"mlm.http"})
    engine = Engine([echo, http_only])
    engine.process(make_event(0, event__action="login"))
    engine.process(make_event(1, event__dataset="mlm.http", event__action="http_request"))
    engine.process(make_event(2, event__dataset="mlm.http", event__action="odd_verb"))
    engine.process(make_event(3, event__dataset="x" * 20 + ".http", event__action="http_request"))
    assert echo.seen == 4 and http_only.seen == 2
    assert set(engine._routes) == {("mlm.auth", "login"), ("mlm.http", "http_request")}


def test_sigma_declares_the_actions_its_rules_need():
    sigma = Engine.build(DetectorConfig(families=["sigma"])).detectors[0]
    assert "login" in sigma.actions and "http_request" not in sigma.actions
