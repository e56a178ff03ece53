"""Rate thresholds: static floors, raised or tuned by a baseline with daily seasonality when one is learned.

Rates are requests per second over the 30-s window. Learning records the window rate of every key
at every rollover of benign baseline traffic; thresholds are a multiple of what benign traffic did.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

# Floors without a baseline. One human browsing, assets included, stays well under 3 req/s over
# 30 s; polite crawlers stay under 5. A whole small MLM site serves tens of req/s at peak.
FLOOR_IP = 15.0
FLOOR_NETWORK = 40.0
FLOOR_PATH = 30.0
FLOOR_LOGIN = 5.0  # POST /login: people log in a few times a day, not tens of times a second
FLOOR_SERVICE = 100.0
# With a baseline the learned figure rules, but never below these minimums.
MIN_IP, MIN_NETWORK, MIN_PATH, MIN_LOGIN, MIN_SERVICE = 8.0, 20.0, 10.0, 3.0, 20.0
MULTIPLIER = 3.0  # a flood is several times the busiest benign moment, not a little above it
SIGMAS = 6.0
TOP_K = 2000
MAX_PATHS = 5000
FILE_NAME = "flood_baseline.json"
SCHEMA = "flood-baseline-v1"


@dataclass(slots=True)
class _Peaks:
    """Count and the largest rates seen, enough for a high quantile."""

    count: int = 0
    top: list[float] = field(default_factory=list)

    def add(self, rate: float) -> None:
        self.count += 1
        if len(self.top) < TOP_K:
            heapq.heappush(self.top, rate)
        elif rate > self.top[0]:
            heapq.heapreplace(self.top, rate)

    def quantile_999(self) -> float:
        if not self.top:
            return 0.0
        rank = max(1, int(self.count * 0.001))  # the rank-th largest rate
        ordered = sorted(self.top, reverse=True)
        return ordered[min(rank, len(ordered)) - 1]


class Baseline:
    """Learns per-kind rate peaks, per-path peaks and the service rate by hour of day."""

    def __init__(self) -> None:
        self.peaks = {"ip": _Peaks(), "network": _Peaks()}
        self.path_max: dict[str, float] = {}
        self.hours = [[0, 0.0, 0.0] for _ in range(24)]  # count, sum, sum of squares
        self.fitted: dict[str, Any] | None = None

    def record(self, kind: str, key: str, rate: float, ts: float) -> None:
        if kind in self.peaks:
            self.peaks[kind].add(rate)
        elif kind == "path":
            if key in self.path_max or len(self.path_max) < MAX_PATHS:
                self.path_max[key] = max(rate, self.path_max.get(key, 0.0))
        elif kind == "service":
            hour = self.hours[int(ts // 3600) % 24]
            hour[0] += 1
            hour[1] += rate
            hour[2] += rate * rate

    def fit(self) -> None:
        """Turn what was recorded into thresholds (kept as plain data for save and load)."""
        by_hour: list[float | None] = []
        for count, total, squares in self.hours:
            if count < 6:  # less than a minute of that hour: no opinion, the floor applies
                by_hour.append(None)
                continue
            mean = total / count
            std = math.sqrt(max(squares / count - mean * mean, 0.0))
            by_hour.append(max(MIN_SERVICE, MULTIPLIER * mean, mean + SIGMAS * std))
        self.fitted = {
            "schema": SCHEMA,
            "ip": max(MIN_IP, MULTIPLIER * self.peaks["ip"].quantile_999()),
            "network": max(MIN_NETWORK, MULTIPLIER * self.peaks["network"].quantile_999()),
            "paths": {p: MULTIPLIER * r for p, r in self.path_max.items()},
            "service_by_hour": by_hour,
        }

    def threshold(self, kind: str, key: str, ts: float, login: bool = False) -> float:
        """The rate (req/s over the window) above which this key is flooding."""
        fitted = self.fitted
        if kind == "ip":
            return float(fitted["ip"]) if fitted else FLOOR_IP
        if kind == "network":
            return float(fitted["network"]) if fitted else FLOOR_NETWORK
        if kind == "path":
            floor, minimum = (FLOOR_LOGIN, MIN_LOGIN) if login else (FLOOR_PATH, MIN_PATH)
            learned = fitted["paths"].get(key) if fitted else None
            return max(minimum, learned) if learned is not None else floor
        hourly = fitted["service_by_hour"][int(ts // 3600) % 24] if fitted else None
        return float(hourly) if hourly is not None else FLOOR_SERVICE

    def save(self, directory: Path) -> None:
        if self.fitted is None:
            return
        directory.mkdir(parents=True, exist_ok=True)
        (directory / FILE_NAME).write_bytes(orjson.dumps(self.fitted))

    def load(self, directory: Path) -> bool:
        path = directory / FILE_NAME
        if not path.is_file():
            return False
        try:
            fitted = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError:
            return False
        if not isinstance(fitted, dict) or fitted.get("schema") != SCHEMA:
            return False
        self.fitted = fitted
        return True
