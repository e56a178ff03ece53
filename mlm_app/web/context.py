"""Per-request security context: client address, device, session and user (runs in a worker thread)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from mlm_app.accounts import sessions
from mlm_app.accounts.models import AuthSession, BlockedIP, User
from mlm_app.db import utcnow
from mlm_app.settings import AppSettings


@dataclass
class Resolved:
    """What the middleware learned before the handler ran."""

    blocked: bool = False
    user: User | None = None
    pending_user: User | None = None  # password passed, second factor still due
    auth: AuthSession | None = None
    session_hash: str | None = None
    new_token: str | None = None  # rotated session token to set on the response
    clear_cookie: bool = False


def new_device_id() -> str:
    return "dev-" + secrets.token_hex(12)


def valid_device_id(value: str | None) -> bool:
    """Device ids are ours (`dev-` + 24 hex); anything else is replaced, never logged as given."""
    return value is not None and len(value) == 28 and value.startswith("dev-") and value[4:].isalnum()


def is_blocked(db: Session, ip: str, now: Any) -> bool:
    row = db.get(BlockedIP, ip)
    return row is not None and (row.until is None or row.until > now)


def resolve(factory: Any, settings: AppSettings, ip: str, token: str | None) -> Resolved:
    """Look up the block list and the session in one short transaction."""
    now = utcnow()
    out = Resolved()
    with factory() as db:
        if is_blocked(db, ip, now):
            out.blocked = True
            return out
        auth = sessions.resolve(db, token, settings, now)
        if auth is None:
            out.clear_cookie = bool(token)
            return out
        user = db.get(User, auth.user_id)
        if user is None or user.status != "active" or (user.locked_until and user.locked_until > now):
            sessions.revoke(auth, now)
            db.commit()
            out.clear_cookie = True
            return out
        out.new_token = sessions.touch(db, auth, token or "", settings, now)
        if db.dirty or out.new_token:
            db.commit()
        out.auth = auth
        out.session_hash = auth.token_hash
        if auth.mfa_passed and not user.must_reenrol_mfa:
            out.user = user
        else:
            out.pending_user = user
    return out
