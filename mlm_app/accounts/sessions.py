"""Server-side sessions: random cookie tokens, stored as SHA-256, with expiry, idle timeout,
rotation and revocation."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from mlm_app.accounts.models import AuthSession
from mlm_app.settings import AppSettings

COOKIE = "mlm_session"
DEVICE_COOKIE = "mlm_device"


def token_hash(token: str) -> str:
    """SHA-256 of a session token: the token is 256-bit random, so no stretching is needed."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ClientInfo:
    """Who is on the other end of a request."""

    ip: str
    user_agent: str
    device_id: str | None


def open_session(db: Session, user_id: str, client: ClientInfo, *, mfa_passed: bool,
                 settings: AppSettings, now: datetime) -> tuple[str, AuthSession]:
    """Start a session; returns the cookie token (shown once) and its row.

    Never a step-up: only a second factor (the MFA routes) sets `step_up_at`, so a stolen password
    alone cannot change bank details or request payouts."""
    token = new_token()
    row = AuthSession(
        token_hash=token_hash(token), user_id=user_id, created_at=now, last_seen=now, token_issued_at=now,
        expires_at=now + timedelta(hours=settings.session_hours), mfa_passed=mfa_passed,
        step_up_at=None, ip=client.ip, user_agent=client.user_agent[:512],
        device_id=client.device_id,
    )
    db.add(row)
    db.flush()
    return token, row


def resolve(db: Session, token: str | None, settings: AppSettings, now: datetime) -> AuthSession | None:
    """The live session for a cookie token, or None (unknown, revoked, expired or idle too long)."""
    if not token or len(token) > 100:
        return None
    digest = token_hash(token)
    row = db.scalars(select(AuthSession).where(
        or_(AuthSession.token_hash == digest, AuthSession.prev_token_hash == digest))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if row.token_hash != digest and (row.prev_valid_until is None or row.prev_valid_until <= now):
        return None
    if row.last_seen + timedelta(minutes=settings.session_idle_minutes) <= now:
        return None
    return row


LAST_SEEN_GRANULARITY = timedelta(seconds=30)  # idle timeouts are minutes; skip a write per request


ROTATION_GRACE = timedelta(seconds=60)


def touch(db: Session, row: AuthSession, token: str, settings: AppSettings, now: datetime) -> str | None:
    """Record activity; return a fresh token when the current one is due for rotation.

    Rotation is a compare-and-set on the current token, so of two parallel requests only one
    rotates; the other (and any request still carrying the old cookie) rides on the grace period.
    """
    if now - row.last_seen >= LAST_SEEN_GRANULARITY:
        row.last_seen = now
    current = token_hash(token)
    if row.token_hash != current:
        return None
    if row.token_issued_at + timedelta(minutes=settings.session_rotate_minutes) > now:
        return None
    fresh = new_token()
    result = db.execute(update(AuthSession).where(AuthSession.id == row.id, AuthSession.token_hash == current)
                        .values(token_hash=token_hash(fresh), token_issued_at=now, prev_token_hash=current,
                                prev_valid_until=now + ROTATION_GRACE).execution_options(synchronize_session=False))
    return fresh if getattr(result, "rowcount", 0) == 1 else None


def rotate(row: AuthSession, now: datetime) -> str:
    """Give the session a new token after a privilege change; the old one dies at once."""
    token = new_token()
    row.token_hash = token_hash(token)
    row.token_issued_at = now
    row.prev_token_hash, row.prev_valid_until = None, None
    return token


def revoke(row: AuthSession, now: datetime) -> None:
    row.revoked_at = now


def revoke_all(db: Session, user_id: str, now: datetime, keep_id: int | None = None) -> int:
    """Revoke every live session of a user (optionally keeping the current one); returns how many."""
    stmt = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if keep_id is not None:
        stmt = stmt.where(AuthSession.id != keep_id)
    result = db.execute(stmt.values(revoked_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


def live_sessions(db: Session, user_id: str, now: datetime) -> list[AuthSession]:
    """Sessions of a user that are neither revoked nor expired, newest first."""
    stmt = (select(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)
            .order_by(AuthSession.last_seen.desc()))
    return list(db.scalars(stmt))
