"""The password step of signing in: lockout, disabled accounts, failure reasons, sign-in history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from mlm_app.accounts.models import SignIn, User
from mlm_app.accounts.service import find_by_username
from mlm_app.security.passwords import hash_password, needs_rehash, verify_password
from mlm_app.settings import AppSettings


@dataclass
class LoginResult:
    """What the password step decided; the router turns it into events, cookies and pages."""

    user: User | None
    ok: bool
    reason: str | None = None  # bad_password | unknown_user | locked | disabled
    locked_now: bool = False
    mfa_required: bool = False


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def check_password(db: Session, username: str, password: str, settings: AppSettings,
                   now: datetime) -> LoginResult:
    """Verify a username and password, updating failure counters and the lock."""
    user = find_by_username(db, username[:64])
    if user is None:
        verify_password(None, password)  # same cost as a real check: no user enumeration by timing
        return LoginResult(None, False, "unknown_user")
    password_ok = verify_password(user.password_hash, password)
    if user.status != "active":
        return LoginResult(user, False, "disabled")
    if is_locked(user, now):
        return LoginResult(user, False, "locked")
    if not password_ok:
        return _failed(db, user, settings, now)
    user.failed_logins = 0
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return LoginResult(user, True, mfa_required=user.mfa_enabled or user.is_staff or user.must_reenrol_mfa)


def _failed(db: Session, user: User, settings: AppSettings, now: datetime) -> LoginResult:
    locked = count_failure(db, user, "failed_logins", settings, now, "too_many_failures")
    return LoginResult(user, False, "bad_password", locked_now=locked)


def count_failure(db: Session, user: User, column: str, settings: AppSettings, now: datetime,
                  reason: str) -> bool:
    """Count one failure atomically in the database; lock at the threshold. True when it locked now.

    Parallel guesses from many addresses must each count: a read-modify-write here would let a
    distributed attack lose increments.
    """
    counter = getattr(User, column)
    stmt = (update(User).where(User.id == user.id).values({column: func.coalesce(counter, 0) + 1})
            .returning(counter).execution_options(synchronize_session=False))
    count = int(db.execute(stmt).scalar_one())
    set_committed_value(user, column, count)
    if count < settings.lockout_threshold:
        return False
    lock(user, now + timedelta(minutes=settings.lockout_minutes), reason)
    return True


def lock(user: User, until: datetime | None, reason: str) -> None:
    """Lock an account until `until` (None: far future, until unlocked by staff or the SIEM)."""
    user.locked_until = until or datetime(9999, 1, 1, tzinfo=UTC)
    user.lock_reason = reason[:64]


def unlock(user: User) -> None:
    user.locked_until = None
    user.lock_reason = None
    user.failed_logins = 0


def record_signin(db: Session, user: User, ip: str, agent: str, device: str | None, outcome: str,
                  reason: str | None, now: datetime) -> None:
    """Keep the attempt for the user's own sign-in history."""
    db.add(SignIn(user_id=user.id, at=now, ip=ip, user_agent=agent[:512], device_id=device,
                  outcome=outcome, reason=reason))


def recent_signins(db: Session, user_id: str, limit: int = 20) -> list[SignIn]:
    stmt = select(SignIn).where(SignIn.user_id == user_id).order_by(SignIn.at.desc(), SignIn.id.desc())
    return list(db.scalars(stmt.limit(limit)))
