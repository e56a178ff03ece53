"""Commission-fraud detectors: fake-account rings, enrollment bursts, order cycling, shared bank
accounts, sponsor-paid orders and commission spikes.

Each alerts at the earliest event where the evidence is strong, and names one entity per fraud so
its alerts make one incident: a ring's operator (the sponsor who brought the accounts in), a
shared bank's operator or first holder, the card owner, the cycling distributor.
- mlm-fraud-enrollment-burst: the 2nd/3rd look-alike sign-up (shared device or bank, throwaway
  mail, one network or leg) or a busy burst adding up to more than a meeting (bursts.py).
- mlm-fraud-linked-accounts: 3-4 accounts tied by banks, cards or devices, again on doubling;
  a family's long-used computer or account shared with the people it enrolled is set aside (rings.py).
- mlm-fraud-self-enrollment: a throwaway-mail recruit signed up on the sponsor's own long-used
  device or bank, at that first sign-up (rings.py).
- mlm-fraud-shared-bank: a stranger joining an account (sharing only a carrier NAT or office
  address with its holder), or more holders than a family (payments.py, traits.py).
- mlm-fraud-shared-card: a new account paying with a card unrelated accounts used before (payments.py).
- mlm-fraud-sponsor-paid-orders: an upline's card paying for someone outside its household, or a
  card no one was seen owning paying for team members who used to pay for themselves (funding.py).
- mlm-fraud-outsized-order (placement), mlm-fraud-order-cycling (refund after the run; high
  when it confirms a placement alert) and mlm-fraud-inventory-loading (a shop's stock bought
  before the close, alerted at the run paying on it) (cycling.py); mlm-fraud-commission-spike
  (spikes.py); mlm-fraud-rank-buying (the volume that earned a rank
  refunded after it; rankbuy.py, run inside OrderCycling).
"""

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
