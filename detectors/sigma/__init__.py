"""Sigma rules and Sigma correlation rules, compiled once into fast matchers over `event.flat`."""

from __future__ import annotations

from pathlib import Path

from detectors.base import Detector, DetectorConfig
from detectors.sigma.detector import SigmaDetector
from detectors.sigma.loader import PACKAGED_RULES, RuleLoadError, load_collection, rule_files

__all__ = ["PACKAGED_RULES", "RuleLoadError", "SigmaDetector", "build", "load_detector"]


def load_detector(dirs: list[Path]) -> SigmaDetector:
    """Parse, check and compile every rule file under `dirs`; errors name the file and rule."""
    return SigmaDetector(load_collection(rule_files(dirs)))


def build(config: DetectorConfig) -> list[Detector]:
    """The family entry point: the packaged rule pack, or `config.rules_dirs` when given."""
    dirs = list(config.rules_dirs) or [PACKAGED_RULES]
    return [load_detector(dirs)]
