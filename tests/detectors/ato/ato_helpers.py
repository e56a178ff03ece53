"""Account-takeover test helpers: timed login sequences and a run loop (a module, not a conftest)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from builders import T0, make_event

from core.alert import Alert
from core.event import Event, parse_timestamp


def run(detector: Any, events: Iterable[Event]) -> list[Alert]:
    """Feed events in order; return every alert with the event time it was raised at."""
    alerts: list[Alert] = []
    for event in events:
        alerts.extend(detector.process(event))
    if hasattr(detector, "flush"):
        alerts.extend(detector.flush())
    return alerts


def login(seconds: float, user: str, ok: bool = True, ip: str = "198.51.100.7", country: str = "US",
          device: str | None = "dev-home", reason: str = "bad_password", **extra: Any) -> Event:
    """One password-step login of `user` at `seconds` after T0."""
    fields: dict[str, Any] = {
        "event__action": "login", "event__dataset": "mlm.auth",
        "event__outcome": "success" if ok else "failure",
        "user__name": user, "user__id": user if ok else None, "source__ip": ip,
        "source__geo__country_iso_code": country, "mlm__device__id": device,
    }
    if not ok:
        fields["mlm__auth__failure_reason"] = reason
    fields.update(extra)
    return make_event(seconds, **fields)


def audit(seconds: float, user: str, action: str, **extra: Any) -> Event:
    return make_event(seconds, event__dataset="mlm.audit", event__action=action,
                      event__category=["iam"], event__type=["change"], user__id=user, **extra)


def commerce(seconds: float, distributor: str, action: str, **extra: Any) -> Event:
    return make_event(seconds, event__dataset="mlm.commerce", event__action=action,
                      event__category=["process"], event__type=["info"], user__id=distributor,
                      mlm__distributor__id=distributor, **extra)


def seconds_of(alert: Alert) -> float:
    """The alert's event time as seconds after the builders' T0."""
    return (parse_timestamp(alert.timestamp) - T0).total_seconds()
