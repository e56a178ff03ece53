"""Traffic-flood detectors: request-rate anomalies per IP, network, path and service, told from flash crowds."""

from __future__ import annotations

from pathlib import Path

from detectors.base import Detector, DetectorConfig
from detectors.flood.detector import FloodDetector

__all__ = ["FloodDetector", "build"]


def build(config: DetectorConfig) -> list[Detector]:
    """The flood family; a baseline saved in `models_dir` is loaded, else static floors apply."""
    detector = FloodDetector()
    if config.models_dir is not None:
        detector.load(Path(config.models_dir))
    return [detector]
