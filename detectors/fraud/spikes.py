"""Commission spikes out of line with a distributor's own history and downline growth.

Two views, each with an explainable gate:
- personal (three or more past periods): this period is several robust standard deviations and
  several times above the distributor's own median, and the number of distributors whose volume
  produced it did not grow alike;
- population (a baseline was fitted): the commission per producing distributor is far above the
  deployment's norm, and an IsolationForest over (amount, producers, amount per producer) finds
  the row rarer than all but 2% of benign baseline rows.
When both views are available both must agree; otherwise the available one decides. Only rows
the cheap gates leave standing reach the model (a handful per commission run), so they are scored
at once: the detector sees commission events only, and a batch would wait for the next run.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import make_alert, short
from detectors.anomaly.batch import median_mad, percentile, robust_z
from detectors.anomaly.models import FeatureSchema, load_model, save_model
from detectors.anomaly.state import BoundedMap, Suppressor
from detectors.fraud.common import CATEGORY, FRAUD_TAGS, commerce, distributor_of, number, text

SCHEMA = FeatureSchema("fraud_commission_spikes", 2, ("log_amount", "log_sources", "log_per_source"))
MIN_HISTORY = 3      # periods of the distributor's own history before the personal view speaks
KEEP_PERIODS = 12
MIN_RATIO = 4.0      # why 4x: ordinary growth months reach 2-3x; pay-plan abuse jumps an order of magnitude
MIN_Z = 6.0
MIN_POP_Z = 4.0      # per-producer pay this far above the population is not a richer pay plan
MIN_EXCESS = 200.0   # money: tiny earners doubling are noise, whatever the ratio
MAX_TRAIN_ROWS = 200_000
DAY = 86_400.0


@dataclass(slots=True)
class History:
    done: OrderedDict[str, tuple[float, int]] = field(default_factory=OrderedDict)  # period -> (amount, sources)
    period: str = ""
    amount: float = 0.0
    sources: set[str] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)

    def add(self, period: str, amount: float, sources: list[str], event_id: str) -> bool:
        """Add one commission; True when it belongs to the current (judgeable) period."""
        if period in self.done:
            old = self.done[period]
            self.done[period] = (old[0] + amount, old[1])
            return False
        if period != self.period:
            if self.period:
                self.done[self.period] = (self.amount, len(self.sources))
                while len(self.done) > KEEP_PERIODS:
                    self.done.popitem(last=False)
            self.period, self.amount, self.sources, self.evidence = period, 0.0, set(), []
        self.amount += amount
        if len(self.sources) < 500:
            self.sources.update(str(s) for s in sources[:50])
        self.evidence = (self.evidence + [event_id])[-50:]
        return True

    def features(self) -> dict[str, float]:
        """Population features always; personal ones (`history` > 0) once there is enough history."""
        amount, sources = max(self.amount, 0.0), len(self.sources)
        row = {"log_amount": math.log1p(amount), "log_sources": math.log1p(sources),
               "log_per_source": math.log((amount + 1.0) / (sources + 1.0)), "history": 0.0}
        if len(self.done) >= MIN_HISTORY:
            med, mad = median_mad([a for a, _ in self.done.values()])
            src_med, _ = median_mad([s for _, s in self.done.values()])
            row.update({
                "history": float(len(self.done)), "median": med,
                "log_ratio": math.log((amount + 10.0) / (med + 10.0)),
                "robust_z": robust_z(amount, med, mad, floor=max(20.0, 0.1 * med)),
                "source_growth": math.log((sources + 1.0) / (src_med + 1.0)),
            })
        return row


@dataclass(frozen=True, slots=True)
class Row:
    distributor: str
    period: str
    ts: float
    amount: float
    features: dict[str, float]
    evidence: tuple[str, ...]


class CommissionSpikes:
    """Alerts when a distributor's commissions for a period jump far beyond their history or peers."""

    name = "fraud.commission_spikes"
    actions = frozenset({"commission_calculated"})  # the engine routes nothing else here

    def __init__(self) -> None:
        self.histories: BoundedMap[str, History] = BoundedMap(200_000, 400 * DAY)
        self.model: Any = None
        self.threshold = float("inf")
        self.population = (0.0, 0.0)  # median and MAD of log pay per producer in the baseline
        self.suppress = Suppressor(60 * DAY)
        self._train: list[dict[str, float]] = []

    def process(self, event: Event) -> list[Alert]:
        row = self._observe(event)
        if row is None or not self._candidate(row):
            return []
        score = float(self._score(SCHEMA.vectorize([row.features]))[0])
        alert = self._judge(score, row)
        return [alert] if alert else []

    def _candidate(self, row: Row) -> bool:
        """The gates that need no model: a row failing one can never alert, so it is never scored."""
        personal = self._personal(row.features, row.amount)
        if personal is False or self.model is None:
            return personal is True
        return self._peers(row.features, row.amount, float("-inf")) is True

    def _observe(self, event: Event) -> Row | None:
        """Add a commission to its distributor's history; the row to judge when it is current."""
        if not commerce(event, "commission_calculated"):
            return None
        dist, period = distributor_of(event), text(event, "mlm.commission.period")
        if not dist or not period:
            return None
        hist = self.histories.setdefault(dist, event.ts, History)
        sources = event.flat.get("mlm.commission.source_ids") or []
        if not hist.add(period, number(event, "mlm.commission.amount"), sources, event.id):
            return None
        return Row(dist, period, event.ts, hist.amount, hist.features(), tuple(hist.evidence))

    def _score(self, matrix: np.ndarray) -> np.ndarray:
        if self.model is None:
            return np.zeros(len(matrix))
        return self.model.score_samples(matrix)

    def _personal(self, f: dict[str, float], amount: float) -> bool | None:
        """Far above the distributor's own history without matching downline growth (None: too new)."""
        if not f["history"]:
            return None
        explained = f["log_ratio"] - f["source_growth"] < math.log(3.0)
        return (f["log_ratio"] >= math.log(MIN_RATIO) and f["robust_z"] >= MIN_Z and not explained
                and amount - f["median"] >= MIN_EXCESS)

    def _peers(self, f: dict[str, float], amount: float, score: float) -> bool | None:
        """Far above what the population earns per producing distributor (None: no baseline)."""
        if self.model is None:
            return None
        med, mad = self.population
        z = robust_z(f["log_per_source"], med, mad, floor=0.1)
        return z >= MIN_POP_Z and score < self.threshold and amount >= MIN_EXCESS

    def _judge(self, score: float, row: Row) -> Alert | None:
        f = row.features
        views = [v for v in (self._personal(f, row.amount), self._peers(f, row.amount, score)) if v is not None]
        if not views or not all(views) or not self.suppress.allow((row.distributor, row.period), row.ts):
            return None
        if f["history"]:
            times, usual = math.exp(f["log_ratio"]), f"their usual {f['median']:,.2f}"
        else:
            times = math.exp(f["log_per_source"] - self.population[0])
            usual = "what peers earn per producing distributor"
        return make_alert(
            rule_id="mlm-fraud-commission-spike", rule_name="Commission spike beyond own history",
            category=CATEGORY, severity="high" if times >= 10 else "medium", risk=60 + min(35, int(3 * times)),
            entity=("distributor", row.distributor), ts=row.ts, evidence=row.evidence,
            summary=(f"Distributor {short(row.distributor)} earned {row.amount:,.2f} in period "
                     f"{short(row.period)}, {times:,.1f}x {usual}, without matching downline growth."),
            tags=FRAUD_TAGS, extra={"mlm_siem": {"model_score": round(score, 4), "history": f["history"]}},
        )

    # Trainable
    def observe_baseline(self, event: Event) -> None:
        row = self._observe(event)
        if row is not None and len(self._train) < MAX_TRAIN_ROWS:
            self._train.append(row.features)

    def fit_baseline(self) -> None:
        """Fit the IsolationForest on baseline rows; the 2nd percentile of their scores is the bar."""
        from sklearn.ensemble import IsolationForest

        rows, self._train = self._train, []
        if len(rows) < 50:
            return  # too little history: the personal view works alone
        matrix = SCHEMA.vectorize(rows)
        self.population = median_mad(matrix[:, SCHEMA.features.index("log_per_source")])
        self.model = IsolationForest(n_estimators=100, max_samples=min(256, len(rows)), random_state=0)
        self.model.fit(matrix)
        self.threshold = percentile(list(self.model.score_samples(matrix)), 2.0, float("inf"))

    def save(self, directory: Path) -> None:
        hist = [[d, seen, _dump(h)] for d, seen, h in self.histories.entries()]
        params = {"threshold": self.threshold if self.model else None, "population": list(self.population),
                  "histories": hist}
        save_model(directory, SCHEMA, params, self.model)

    def load(self, directory: Path) -> bool:
        loaded = load_model(directory, SCHEMA)
        if loaded is None:
            return False
        params, self.model = loaded
        threshold, population = params.get("threshold"), params.get("population") or [0.0, 0.0]
        self.threshold = float(threshold) if self.model is not None and threshold is not None else float("inf")
        self.population = (float(population[0]), float(population[1]))
        for item in params.get("histories") or []:
            if isinstance(item, list) and len(item) == 3 and isinstance(item[2], dict):
                self.histories.put(str(item[0]), float(item[1]), _restore(item[2]))
        return True


def _dump(h: History) -> dict[str, Any]:
    return {"done": [[p, a, s] for p, (a, s) in h.done.items()], "period": h.period,
            "amount": h.amount, "sources": sorted(h.sources)}


def _restore(doc: dict[str, Any]) -> History:
    done = OrderedDict((str(p), (float(a), int(s))) for p, a, s in doc.get("done", [])[-KEEP_PERIODS:])
    return History(done, str(doc.get("period", "")), float(doc.get("amount", 0.0)),
                   {str(s) for s in doc.get("sources", [])[:500]})
