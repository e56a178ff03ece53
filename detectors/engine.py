"""The detection engine: runs every detector family over each event, isolating their failures.

A detector that raises is logged with its name and the event id, counted, and skipped for that
event; the stream goes on. Counters (alerts per rule, errors per detector) feed the dashboard and
the `serve-detectors` health endpoint.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.alert import Alert
from core.event import Event
from core.schema import ACTIONS
from detectors.base import Detector, DetectorConfig, Flushable, Trainable
from detectors.registry import build_each

log = logging.getLogger(__name__)
KNOWN_ACTIONS = frozenset(a for actions in ACTIONS.values() for a in actions) | {"security_report"}
KNOWN_DATASETS = frozenset(ACTIONS)


class Engine:
    """Every detector of a deployment, behind one `process(event) -> list[Alert]`."""

    def __init__(self, detectors: list[Detector]) -> None:
        self.detectors = detectors
        self.events = 0
        self.alerts_by_rule: Counter[str] = Counter()
        self.alerts_by_category: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.build_errors: dict[str, str] = {}  # family -> why it did not load
        self.loaded_models: list[str] = []  # Trainable detectors that loaded a saved model
        self._routes: dict[Any, list[Detector]] = {}

    @classmethod
    def build(cls, config: DetectorConfig, strict: bool = False) -> Engine:
        """Build every family; load saved models from `config.models_dir` if given.

        A family that fails to build is logged and listed in `build_errors` while the others run
        (strict: raised). Invalid Sigma rules always raise: a silently empty rule pack is worse.
        """
        detectors: list[Detector] = []
        failures: dict[str, str] = {}
        for family, built in build_each(config).items():
            if isinstance(built, Exception):
                if strict or family == "sigma":
                    raise built
                failures[family] = f"{type(built).__name__}: {built}"
                log.error("detector family %s not loaded: %s", family, failures[family])
                continue
            detectors.extend(built)
        engine = cls(detectors)
        engine.build_errors = failures
        if config.models_dir is not None:
            engine.loaded_models = engine.load_models(Path(config.models_dir))
        return engine

    def _route(self, dataset: Any, action: Any) -> list[Detector]:
        """The detectors interested in a (dataset, action) pair (see `Detector.actions` and
        `Detector.datasets`), built once per known pair: most events then reach few detectors."""
        route = self._routes.get((dataset, action))
        if route is None:
            route = [d for d in self.detectors if _wants(d, dataset, action)]
            # event.dataset and event.action are attacker-influenced: cache only real pairs.
            if action in KNOWN_ACTIONS and dataset in KNOWN_DATASETS:
                self._routes[(dataset, action)] = route
        return route

    def process(self, event: Event) -> list[Alert]:
        """Run every detector on one event (in event-time order); returns the alerts it completed."""
        self.events += 1
        flat = event.flat
        pair = (flat.get("event.dataset"), flat.get("event.action"))
        route = self._routes.get(pair)
        if route is None:
            route = self._route(*pair)
        alerts: list[Alert] = []
        for detector in route:
            try:
                found = detector.process(event)
            except Exception:  # noqa: BLE001 - one broken detector must not stop the others or the stream
                self._failed(detector, "process", event)
                continue
            if found:
                alerts += found
        if alerts:
            self._count(alerts)
        return alerts

    def flush(self) -> list[Alert]:
        """Alerts held by buffering detectors (end of a replay, idle bus)."""
        alerts: list[Alert] = []
        for detector in self.detectors:
            if not isinstance(detector, Flushable):
                continue
            try:
                alerts.extend(detector.flush())
            except Exception:  # noqa: BLE001 - isolation is the point
                self._failed(detector, "flush", None)
        self._count(alerts)
        return alerts

    def warm(self, baseline: Iterable[Event]) -> int:
        """Learn from benign history: stateful detectors see it, models observe and fit; no alerts."""
        trainable = [d for d in self.detectors if isinstance(d, Trainable)]
        plans: dict[Any, list[tuple[Detector, Any]]] = {}
        seen = 0
        for event in baseline:
            seen += 1
            flat = event.flat
            pair = (flat.get("event.dataset"), flat.get("event.action"))
            plan = plans.get(pair)
            if plan is None:
                plan = self._warm_plan(pair, trainable)
                if pair in self._routes:  # a known pair (the routes cache only those): bounded
                    plans[pair] = plan
            for detector, step in plan:
                try:
                    step(event)
                except Exception:  # noqa: BLE001 - isolation is the point
                    self._failed(detector, "warm", event)
        self.flush_silently()
        for detector in trainable:
            try:
                detector.fit_baseline()
            except Exception:  # noqa: BLE001 - isolation is the point
                self._failed(detector, "fit_baseline", None)
        return seen

    def _warm_plan(self, pair: tuple[Any, Any], trainable: list[Any]) -> list[tuple[Detector, Any]]:
        """How each detector learns from a baseline event of this (dataset, action), in detector order.

        Models learn through observe_baseline (they may not score before fitting), every event;
        rules and stateful detectors warm their windows through process, when routed.
        """
        models = {id(d) for d in trainable}
        routed = {id(d) for d in self._route(*pair)}
        plan: list[tuple[Detector, Any]] = []
        for detector in self.detectors:
            if id(detector) in models:
                plan.append((detector, detector.observe_baseline))  # type: ignore[attr-defined]
            elif id(detector) in routed:
                plan.append((detector, detector.process))
        return plan

    def flush_silently(self) -> None:
        """Drop pending alerts (after warming on baseline, whose alerts are never written)."""
        for detector in self.detectors:
            if isinstance(detector, Flushable):
                try:
                    detector.flush()
                except Exception:  # noqa: BLE001 - isolation is the point
                    self._failed(detector, "flush", None)

    def trainable(self) -> list[Trainable]:
        return [d for d in self.detectors if isinstance(d, Trainable)]  # type: ignore[misc]

    def load_models(self, directory: Path) -> list[str]:
        """Load saved models into every Trainable detector; returns the names that found one."""
        loaded = []
        for detector in self.trainable():
            try:
                if detector.load(directory):
                    loaded.append(_name(detector))
            except Exception:  # noqa: BLE001 - isolation is the point
                self._failed(detector, "load", None)  # type: ignore[arg-type]
        return loaded

    def _count(self, alerts: list[Alert]) -> None:
        for alert in alerts:
            self.alerts_by_rule[alert.rule_id] += 1
            self.alerts_by_category[alert.category] += 1

    def _failed(self, detector: Detector, step: str, event: Event | None) -> None:
        name = _name(detector)
        self.errors[name] += 1
        # The event id is attacker-influenced: bounded and repr-escaped in the log line.
        log.exception("detector %s failed in %s on event %r", name, step, event.id[:80] if event else None)

    def stats(self) -> dict[str, Any]:
        """Counters for the dashboard and /health: events, alerts per rule and category, errors."""
        rule_errors: Counter[str] = Counter()
        rule_hits: Counter[str] = Counter()
        for detector in self.detectors:
            for source, target in (("errors", rule_errors), ("hits", rule_hits)):
                counts = getattr(detector, source, None)
                if isinstance(counts, dict):
                    target.update(counts)
        return {
            "events": self.events,
            "detectors": [_name(d) for d in self.detectors],
            "alerts_by_rule": dict(self.alerts_by_rule),
            "alerts_by_category": dict(self.alerts_by_category),
            "rule_hits": dict(rule_hits),
            "detector_errors": dict(self.errors),
            "build_errors": dict(self.build_errors),
            "loaded_models": list(self.loaded_models),
            "rule_errors": dict(rule_errors),
        }


def _wants(detector: Any, dataset: Any, action: Any) -> bool:
    """Whether a detector declared interest in events of this dataset and action (absent/None: all)."""
    datasets = getattr(detector, "datasets", None)
    actions = getattr(detector, "actions", None)
    return (datasets is None or dataset in datasets) and (actions is None or action in actions)


def _name(detector: Any) -> str:
    return str(getattr(detector, "name", type(detector).__name__))
