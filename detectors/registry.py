"""Every detector family, by module. A family module exposes `build(config) -> list[Detector]`."""

from __future__ import annotations

import importlib
import importlib.util

from detectors.base import Detector, DetectorConfig

FAMILY_MODULES: dict[str, str] = {
    "sigma": "detectors.sigma",          # Sigma rules and Sigma correlation rules (rules/)
    "ato": "detectors.ato",              # account takeover: stateful detectors and login-risk model
    "fraud": "detectors.fraud",          # commission fraud: rings, cycling, shared banks, spikes
    "injection": "detectors.injection",  # SQLi, XSS, traversal, command, template, NoSQL
    "flood": "detectors.flood",          # request-rate anomalies and floods
}


def build_all(config: DetectorConfig) -> list[Detector]:
    """Build every family present (or only `config.families`); `only_rules` keeps Sigma alone."""
    wanted = ["sigma"] if config.only_rules else (config.families or list(FAMILY_MODULES))
    detectors: list[Detector] = []
    for family in wanted:
        module_name = FAMILY_MODULES[family]
        if importlib.util.find_spec(module_name) is None:
            continue
        detectors.extend(importlib.import_module(module_name).build(config))
    return detectors


def build_each(config: DetectorConfig) -> dict[str, list[Detector] | Exception]:
    """Like `build_all`, but one family failing to build is returned as its exception, not raised."""
    wanted = ["sigma"] if config.only_rules else (config.families or list(FAMILY_MODULES))
    built: dict[str, list[Detector] | Exception] = {}
    for family in wanted:
        module_name = FAMILY_MODULES[family]
        try:
            if importlib.util.find_spec(module_name) is None:
                continue
            built[family] = list(importlib.import_module(module_name).build(config))
        except Exception as exc:  # a broken family is reported by the caller, the others still run
            built[family] = exc
    return built
