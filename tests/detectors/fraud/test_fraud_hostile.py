"""Hostile input: every fraud detector takes odd but contract-valid events without raising."""

from __future__ import annotations

import random

from builders import make_event_dict

from core.event import Event, EventError
from detectors.base import DetectorConfig
from detectors.fraud import build

ACTIONS = ("distributor_enrolled", "order_placed", "order_refunded", "commission_calculated", "rank_changed",
           "payout_requested", "bank_account_changed", "login")
ODD = ("", "x" * 5000, "../../etc", "<script>", "0", "D1", "-1", "NaN", "\u202e", "a\nb", " ")
FIELDS = ("mlm.distributor.id", "user.id", "mlm.sponsor.id", "mlm.placement.parent_id", "mlm.device.id",
          "mlm.bank.fingerprint", "mlm.bank.previous_fingerprint", "mlm.payment.fingerprint", "mlm.order.id",
          "mlm.email.domain", "mlm.commission.period", "mlm.target.id", "mlm.placement.position")
NUMBERS = ("mlm.order.pv", "mlm.order.amount", "mlm.commission.amount")


def odd_event(rng: random.Random, index: int) -> Event | None:
    action = rng.choice(ACTIONS)
    doc = {"event__dataset": "mlm.auth" if action == "login" else "mlm.commerce", "event__action": action}
    for name in rng.sample(FIELDS, rng.randint(0, len(FIELDS))):
        doc[name.replace(".", "__")] = rng.choice(ODD + (f"id{rng.randint(0, 5)}",))
    for name in NUMBERS:
        if rng.random() < 0.6:
            doc[name.replace(".", "__")] = rng.choice((0, -5.5, 1e300, 7, 123456789.0))
    if rng.random() < 0.3:
        doc["mlm__commission__source_ids"] = [rng.choice(ODD) for _ in range(rng.randint(0, 80))]
    try:
        return Event.from_dict(make_event_dict(index * rng.uniform(0, 900), **doc))
    except EventError:
        return None  # the contract refuses it before any detector sees it


def test_every_fraud_detector_survives_odd_events():
    rng = random.Random(9)
    detectors = build(DetectorConfig())
    events = [e for i in range(3000) if (e := odd_event(rng, i)) is not None]
    assert len(events) > 1000
    for event in events:
        for detector in detectors:
            for alert in detector.process(event):
                assert len(alert.event_ids) <= 100 and alert.category == "commission_fraud"
    for detector in detectors:
        if hasattr(detector, "flush"):
            detector.flush()
