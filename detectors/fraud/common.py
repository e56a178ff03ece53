"""Field readers shared by the commission-fraud detectors."""

from __future__ import annotations

import math

from core.event import Event

CATEGORY = "commission_fraud"
FRAUD_TAGS = ["attack.impact", "attack.t1657"]
FAKE_ACCOUNT_TAGS = ["attack.resource_development", "attack.t1585", *FRAUD_TAGS]


def commerce(event: Event, action: str) -> bool:
    return event.flat.get("event.dataset") == "mlm.commerce" and event.flat.get("event.action") == action


def distributor_of(event: Event) -> str | None:
    """The distributor an event is about: `mlm.distributor.id`, else the acting `user.id`."""
    value = event.flat.get("mlm.distributor.id") or event.flat.get("user.id")
    return str(value)[:128] if value else None


def text(event: Event, field: str) -> str | None:
    value = event.flat.get(field)
    return str(value)[:256] if value not in (None, "") else None


def number(event: Event, field: str) -> float:
    """A numeric field as a float; absent or non-finite values count as 0."""
    value = event.flat.get(field)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value) if math.isfinite(value) else 0.0
