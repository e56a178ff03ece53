"""Account-takeover detectors: stuffing, spraying (per network, service-wide stranded accounts, and
one client over a proxy pool), slow brute force, impossible travel (and a stranger's browser behind
a VPN exit right after a member's first login), session hijack, login risk and the MLM kill chain
(login -> account change -> payout, and reset -> new device -> mailbox taken)."""

from __future__ import annotations

from detectors.ato.bruteforce import SlowBruteForce
from detectors.ato.risk import LoginRisk
from detectors.ato.session import SessionHijack
from detectors.ato.spraying import PasswordSpraying
from detectors.ato.stuffing import CredentialStuffing
from detectors.ato.travel import ImpossibleTravel
from detectors.base import Detector, DetectorConfig


def build(config: DetectorConfig) -> list[Detector]:
    """Every account-takeover detector (the engine loads saved models from `config.models_dir`)."""
    return [CredentialStuffing(), PasswordSpraying(), SlowBruteForce(), ImpossibleTravel(), SessionHijack(),
            LoginRisk()]
