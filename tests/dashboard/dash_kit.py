"""Helpers for dashboard tests: a hand-moved clock, alert builder, login through the real forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
from fastapi.testclient import TestClient

from core.alert import Alert
from core.event import format_timestamp

T0 = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)
FAST_HASH = {"password_time_cost": 1, "password_memory_kib": 1024}  # argon2id, cheap for tests only
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class FakeClock:
    """A wall clock tests move by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_alert(seconds: float = 0, **kw: Any) -> Alert:
    """A valid alert `seconds` after T0; keyword arguments override Alert fields."""
    fields: dict[str, Any] = {
        "rule_id": "r-brute",
        "rule_name": "Password spraying",
        "category": "account_takeover",
        "severity": "medium",
        "risk_score": 50,
        "entity_type": "user",
        "entity_value": "amy",
        "timestamp": format_timestamp(T0 + timedelta(seconds=seconds)),
        "event_ids": [f"evt-{seconds}"],
        "summary": "Many failed logins for amy",
        "tags": ["attack.t1110.003"],
    }
    fields.update(kw)
    return Alert(**fields)


def csrf_of(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match, "no csrf token in page"
    return match.group(1)


def login(client: TestClient, clock: FakeClock, username: str, password: str, secret: str) -> None:
    """Full login: password step then a TOTP code for the clock's current time."""
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/login/mfa", r.text
    page = client.get("/login/mfa")
    code = pyotp.TOTP(secret).at(clock())
    r = client.post(
        "/login/mfa", data={"code": code, "csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/", r.headers
    clock.advance(31)  # the next login of anyone needs a fresh TOTP step
