"""Building alerts and reading the few event fields every stateful detector needs."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache

from core.alert import Alert
from core.event import Event, format_timestamp

SEVERITY_FLOOR = {"low": 20, "medium": 45, "high": 70, "critical": 90}


def event_time(ts: float) -> str:
    return format_timestamp(datetime.fromtimestamp(ts, tz=UTC))


def make_alert(
    *, rule_id: str, rule_name: str, category: str, severity: str, risk: int, entity: tuple[str, str],
    ts: float, evidence: Iterable[str], summary: str, tags: list[str], extra: dict | None = None,
) -> Alert:
    """One alert at event time `ts`; risk is kept within the severity's band and 0-100."""
    risk = max(SEVERITY_FLOOR[severity], min(100, int(risk)))
    return Alert(
        rule_id=rule_id, rule_name=rule_name, category=category, severity=severity, risk_score=risk,
        entity_type=entity[0], entity_value=entity[1], timestamp=event_time(ts),
        event_ids=list(evidence), summary=summary, tags=tags, extra=dict(extra or {}),
    )


def is_login(event: Event, outcome: str | None = None) -> bool:
    """A password-step login event, optionally with the given outcome."""
    if event.flat.get("event.action") != "login" or event.flat.get("event.dataset") != "mlm.auth":
        return False
    return outcome is None or event.flat.get("event.outcome") == outcome


def user_key(event: Event) -> str | None:
    """The account an event is about: `user.id`, else the typed `user.name` (failed logins)."""
    value = event.flat.get("user.id") or event.flat.get("user.name")
    return str(value)[:256] if value else None


@lru_cache(maxsize=65_536)  # parsing an address costs ~2 us; the same few thousand recur all day
def network_of(ip: str | None) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network of an address: the unit one operator usually holds."""
    if not ip:
        return None
    parts = ip.split(".") if isinstance(ip, str) else ()
    if len(parts) == 4 and all(_octet(p) for p in parts):
        return f"{parts[0]}.{parts[1]}.{parts[2]}.0/24"  # what ipaddress answers, ten times sooner
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def _octet(part: str) -> bool:
    """A decimal IPv4 octet as `ipaddress` accepts it: 0-255, no sign, no leading zero."""
    return part.isascii() and part.isdigit() and len(part) <= 3 and (part == "0" or part[0] != "0") \
        and int(part) <= 255


def short(value: object, limit: int = 64) -> str:
    """An attacker-controlled value cut to a length fit for a one-line summary."""
    text = str(value).replace("\n", " ").replace("\r", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
