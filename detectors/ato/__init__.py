"""Account-takeover detectors: stuffing, spraying, impossible travel, session hijack, login risk
and the MLM kill chain (login -> account change -> payout)."""

from __future__ import annotations

from detectors.anomaly.models import load_models
from detectors.base import Detector, DetectorConfig
from detectors.ato.risk import LoginRisk
from detectors.ato.session import SessionHijack
from detectors.ato.spraying import PasswordSpraying
from detectors.ato.stuffing import CredentialStuffing
from detectors.ato.travel import ImpossibleTravel


def build(config: DetectorConfig) -> list[Detector]:
    """Every account-takeover detector, with saved models loaded from `config.models_dir`."""
    detectors: list[Detector] = [
        CredentialStuffing(), PasswordSpraying(), ImpossibleTravel(), SessionHijack(), LoginRisk(),
    ]
    load_models(detectors, config.models_dir)
    return detectors
