"""Test builders shared by every test package: events, free ports."""

from __future__ import annotations

import itertools
import re
import socket
from datetime import datetime, timedelta, timezone
from typing import Any

from core.event import Event, format_timestamp, nest

T0 = datetime(2026, 11, 2, 9, 0, 0, tzinfo=timezone.utc)
_ids = itertools.count(1)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_event_dict(seconds: float = 0, **overrides: Any) -> dict[str, Any]:
    """A valid nested event `seconds` after T0; override any field by dotted name with `__` for `.`.

    make_event_dict(5, event__action="login", user__name="amy")
    """
    flat: dict[str, Any] = {
        "@timestamp": format_timestamp(T0 + timedelta(seconds=seconds)),
        "event.id": f"evt-{next(_ids):08d}",
        "event.kind": "event",
        "event.dataset": "mlm.auth",
        "event.action": "login",
        "event.category": ["authentication"],
        "event.type": ["start"],
        "event.outcome": "success",
        "service.name": "mlm_app",
        "source.ip": "203.0.113.10",
        "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64)",
    }
    for key, value in overrides.items():
        name = key.replace("__", ".")
        if value is None:
            flat.pop(name, None)
        else:
            flat[name] = value
    return nest(flat)


def make_event(seconds: float = 0, **overrides: Any) -> Event:
    return Event.from_dict(make_event_dict(seconds, **overrides))


def csrf_fields(html: str) -> dict[str, str]:
    """The hidden CSRF field of the first form in a page, as form data ({} when there is none)."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return {"csrf_token": match.group(1)} if match else {}
