"""Batch scoring: one scikit-learn call per many rows (one-row calls are ~100x slower, FACTS.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import numpy as np

from detectors.anomaly.models import FeatureSchema

C = TypeVar("C")

class BatchScorer(Generic[C]):
    """Buffers feature rows with their context; scores them together when full or overdue.

    `max_delay` bounds detection latency in EVENT time: a row waits at most that long after the
    event that produced it (checked when the next event arrives, or on `flush`).
    """

    def __init__(self, schema: FeatureSchema, score: Callable[[np.ndarray], np.ndarray],
                 batch_size: int = 1000, max_delay: float = 30.0) -> None:
        self.schema = schema
        self.score = score
        self.batch_size = batch_size
        self.max_delay = max_delay
        self._rows: list[Mapping[str, float]] = []
        self._ctx: list[C] = []
        self._oldest: float | None = None

    def add(self, ts: float, row: Mapping[str, float], context: C) -> list[tuple[float, C]]:
        """Queue one row; returns (score, context) pairs of any batch this completes."""
        self._rows.append(row)
        self._ctx.append(context)
        if self._oldest is None:
            self._oldest = ts
        if len(self._rows) >= self.batch_size:
            return self.drain()
        return self.tick(ts)

    def tick(self, now: float) -> list[tuple[float, C]]:
        """Score the pending rows when the oldest has waited `max_delay` of event time."""
        if self._oldest is not None and now - self._oldest >= self.max_delay:
            return self.drain()
        return []

    def drain(self) -> list[tuple[float, C]]:
        """Score every pending row now."""
        if not self._rows:
            return []
        scores = self.score(self.schema.vectorize(self._rows))
        out = list(zip((float(s) for s in scores), self._ctx))
        self._rows, self._ctx, self._oldest = [], [], None
        return out

    def __len__(self) -> int:
        return len(self._rows)

def robust_z(value: float, median: float, mad: float, floor: float) -> float:
    """How many robust standard deviations `value` lies above `median` (MAD scaled, floored)."""
    scale = max(1.4826 * mad, floor)
    return (value - median) / scale

def median_mad(values: list[float] | np.ndarray) -> tuple[float, float]:
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        return 0.0, 0.0
    med = float(np.median(arr))
    return med, float(np.median(np.abs(arr - med)))

def percentile(values: list[float], q: float, default: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else default

Context = Any
