"""`mlm-siem train`: fit every Trainable detector on benign baseline events and save the models.

Each detector saves its own files (with its feature schema) into the output folder; a manifest
records what was trained from what, so `--models DIR` can be traced back to its baseline.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson

from detectors.base import DetectorConfig
from detectors.engine import Engine
from detectors.replay import ReadStats, events_in_time_order

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


@dataclass(slots=True)
class TrainResult:
    events: int
    bad: int
    models: list[str]
    failed: list[str]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def train(config: DetectorConfig, baseline: Path, out_dir: Path, errors: IO[str] | None = None) -> TrainResult:
    """Observe the baseline in event-time order, fit, save each model and a manifest into `out_dir`."""
    engine = Engine.build(DetectorConfig(rules_dirs=config.rules_dirs, families=config.families))
    trainable = engine.trainable()
    stats = ReadStats(str(baseline))
    for event in events_in_time_order(baseline, stats, errors):
        for detector in trainable:
            detector.observe_baseline(event)
    out_dir.mkdir(parents=True, exist_ok=True)
    saved, failed = [], []
    for detector in trainable:
        name = str(getattr(detector, "name", type(detector).__name__))
        try:
            detector.fit_baseline()
            detector.save(out_dir)
            saved.append(name)
        except Exception as exc:  # noqa: BLE001 - one model failing to fit must not lose the others
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    manifest = {
        "version": MANIFEST_VERSION, "baseline": {"path": baseline.name, "sha256": file_sha256(baseline),
                                                  "events": stats.events, "bad_lines": stats.bad},
        "models": saved, "failed": failed,
    }
    (out_dir / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    return TrainResult(stats.events, stats.bad, saved, failed)
