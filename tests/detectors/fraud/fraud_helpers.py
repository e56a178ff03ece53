"""Commission-fraud test helpers: timed MLM business events and a run loop (a module, not a conftest)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from builders import T0, make_event

from core.alert import Alert
from core.event import Event, parse_timestamp

DAY = 86_400.0


def run(detector: Any, events: Iterable[Event]) -> list[Alert]:
    """Feed events in order, then flush buffering detectors; return every alert."""
    alerts: list[Alert] = []
    for event in events:
        alerts.extend(detector.process(event))
    if hasattr(detector, "flush"):
        alerts.extend(detector.flush())
    return alerts


def seconds_of(alert: Alert) -> float:
    return (parse_timestamp(alert.timestamp) - T0).total_seconds()


def commerce(seconds: float, distributor: str, action: str, **extra: Any) -> Event:
    fields: dict[str, Any] = {"event__dataset": "mlm.commerce", "event__action": action,
                              "event__category": ["process"], "event__type": ["info"], "user__id": distributor,
                              "mlm__distributor__id": distributor}
    return make_event(seconds, **{**fields, **extra})


def enroll(seconds: float, dist: str, sponsor: str, *, device: str | None = None, bank: str | None = None,
           ip: str = "198.51.100.20", domain: str = "gmail.com", parent: str | None = None,
           position: str | None = "left") -> Event:
    return commerce(seconds, dist, "distributor_enrolled", mlm__sponsor__id=sponsor,
                    mlm__placement__parent_id=parent or sponsor, mlm__placement__position=position,
                    mlm__plan="binary", mlm__email__domain=domain, mlm__email__fingerprint=f"em-{dist}",
                    mlm__device__id=device or f"dev-{dist}", mlm__bank__fingerprint=bank, source__ip=ip)


def order(seconds: float, dist: str, order_id: str, pv: float, card: str | None = None, **extra: Any) -> Event:
    return commerce(seconds, dist, "order_placed", mlm__order__id=order_id, mlm__order__amount=pv * 1.2,
                    mlm__order__currency="USD", mlm__order__pv=pv, mlm__order__bv=pv, mlm__order__items=1,
                    mlm__payment__fingerprint=card or f"card-{dist}", mlm__device__id=f"dev-{dist}", **extra)


def refund(seconds: float, dist: str, order_id: str) -> Event:
    return commerce(seconds, dist, "order_refunded", mlm__order__id=order_id)


def commission(seconds: float, dist: str, period: str, amount: float, sources: list[str] | None = None) -> Event:
    return commerce(seconds, dist, "commission_calculated", mlm__commission__period=period,
                    mlm__commission__amount=amount, mlm__commission__type="binary_pairing",
                    mlm__commission__source_ids=sources or [f"{dist}-d{i}" for i in range(5)])
