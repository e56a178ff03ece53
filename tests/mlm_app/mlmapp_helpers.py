"""Helpers for the MLM app platform tests: a harness around one app, logins, CSRF, TOTP codes."""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, field
from typing import Any

import pyotp
from fastapi.testclient import TestClient

from mlm_app.accounts.service import create_account
from mlm_app.db import transaction
from mlm_app.security.passwords import hash_password

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7]+)<')


@functools.cache
def _hash(password: str) -> str:
    """argon2 is deliberately slow; tests reuse one hash per distinct password."""
    return hash_password(password)


@dataclass
class Harness:
    """One app instance with every emitted event captured in `events`."""

    app: Any
    events: list[dict[str, Any]] = field(default_factory=list)

    def client(self, ip: str = "203.0.113.7", **kw: Any) -> TestClient:
        return TestClient(self.app, client=(ip, 50000), follow_redirects=False, **kw)

    def add_user(self, username: str, role: str = "distributor", user_id: str | None = None,
                 password: str = PASSWORD, **attrs: Any) -> str:
        uid = user_id or ("S" if role != "distributor" else "D") + f"{abs(hash(username)) % 10**6:06d}"
        with transaction(self.app.state.db_factory) as db:
            user = create_account(db, username, None, role, uid, password_hash=_hash(password))
            for name, value in attrs.items():
                setattr(user, name, value)
        return uid

    def find(self, dataset: str, action: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"]["dataset"] == dataset and e["event"]["action"] == action]


def csrf(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the form on `path` (GET it like a browser would)."""
    page = client.get(path)
    match = CSRF_RE.search(page.text)
    assert match, f"no csrf token on {path}: {page.status_code}"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf(client)})


def code_for(secret: str, offset: int = 0) -> str:
    """A TOTP code `offset` time steps from now (each step may be used once)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * offset)


def enrol_mfa(client: TestClient, offset: int = 0) -> str:
    """Walk the enrolment page; returns the secret."""
    page = client.get("/mfa/setup")
    secret = SECRET_RE.search(page.text).group(1)  # type: ignore[union-attr]
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    done = client.post("/mfa/setup", data={"code": code_for(secret, offset), "csrf_token": token})
    assert done.status_code == 200 and "recovery-codes" in done.text
    return secret


def signed_in(harness: Harness, username: str, role: str = "distributor", ip: str = "203.0.113.7",
              mfa: bool = False) -> tuple[TestClient, str, str | None]:
    """A client signed in as a new user (enrolling MFA when asked or when staff); (client, id, secret)."""
    uid = harness.add_user(username, role)
    client = harness.client(ip)
    assert login(client, username).status_code == 303
    secret = enrol_mfa(client) if (mfa or role != "distributor") else None
    return client, uid, secret
