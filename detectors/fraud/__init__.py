"""Commission-fraud detectors: fake-account rings, enrollment bursts, order cycling, shared bank
accounts, sponsor-paid orders and commission spikes."""

from __future__ import annotations

from detectors.base import Detector, DetectorConfig
from detectors.fraud.bursts import EnrollmentBursts
from detectors.fraud.cycling import OrderCycling
from detectors.fraud.funding import SponsorPaidOrders
from detectors.fraud.payments import SharedBankAccounts
from detectors.fraud.rings import LinkedAccounts
from detectors.fraud.spikes import CommissionSpikes


def build(config: DetectorConfig) -> list[Detector]:
    """Every commission-fraud detector (the engine loads saved models from `config.models_dir`)."""
    return [LinkedAccounts(), EnrollmentBursts(), OrderCycling(), SharedBankAccounts(), SponsorPaidOrders(),
            CommissionSpikes()]
