"""View models and identities of the analysts domain."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "analyst", "responder", "admin")


def role_allows(role: str, needed: str) -> bool:
    """Roles are ordered: each includes the rights of those before it; unknown roles get nothing."""
    if role not in ROLES or needed not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: an analyst in a browser session or an API token holder."""

    username: str
    role: str
    csrf: str = ""
    ip: str = ""
    user_agent: str = ""
    via: str = "web"

    def can(self, needed: str) -> bool:
        return role_allows(self.role, needed)


@dataclass(frozen=True, slots=True)
class AnalystView:
    username: str
    role: str
    active: bool
    locked: bool
    created: str


@dataclass(frozen=True, slots=True)
class AuditView:
    ts: str
    actor: str
    action: str
    target: str
    detail: str
    ip: str
    outcome: str
