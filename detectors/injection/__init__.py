"""Injection detectors: SQL, XSS, path traversal, OS command, template and NoSQL payloads in HTTP events.

Decoding layers undo evasion; hyperscan patterns, libinjection and a small learned model judge
each decoded value; per-IP aggregation keeps scanners to a few alerts per window.
"""

from __future__ import annotations

from pathlib import Path

from core.alert import Alert
from core.event import Event
from detectors.base import Detector, DetectorConfig
from detectors.injection.aggregate import Aggregator
from detectors.injection.analyzer import Analyzer


class InjectionDetector:
    """Alerts on injection payloads in `mlm.http` events, per source IP."""

    name = "injection"
    datasets = frozenset({"mlm.http"})  # the engine skips the other datasets (process ignores them)

    def __init__(self, analyzer: Analyzer | None = None, aggregator: Aggregator | None = None) -> None:
        self.analyzer = analyzer or Analyzer()
        self.aggregator = aggregator or Aggregator()

    def process(self, event: Event) -> list[Alert]:
        flat = event.flat
        if flat.get("event.dataset") != "mlm.http":
            return []
        findings = self.analyzer.findings(flat)
        if not findings:
            return []
        return self.aggregator.add(event, findings)

    def flush(self) -> list[Alert]:
        """Evidence still held for sources already alerted on (end of a replay, idle bus)."""
        return self.aggregator.flush()


def build(config: DetectorConfig) -> list[Detector]:
    """The injection family: one detector, with the learned model when it can be loaded or trained."""
    from detectors.injection.model import load_or_train

    models_dir = Path(config.models_dir) if config.models_dir else None
    return [InjectionDetector(Analyzer(model=load_or_train(models_dir)))]
