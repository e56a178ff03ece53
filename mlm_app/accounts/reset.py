"""Forgotten passwords: single-use, short-lived reset links delivered through the outbox.

The app has no mail server of its own: messages are written, owner-readable only, to
`DATA_DIR/outbox/` where a mail relay (or an operator in a demo) picks them up.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from mlm_app.accounts import sessions
from mlm_app.accounts.models import PasswordReset, User
from mlm_app.accounts.sessions import token_hash
from mlm_app.security.crypto import write_private
from mlm_app.security.passwords import check_policy, hash_password

LIFETIME = timedelta(minutes=30)


class ResetError(ValueError):
    """The reset link is unknown, used or expired, or the new password is refused."""


def find_account(db: Session, name: str) -> User | None:
    """The active account with this username or email (exact match)."""
    name = name.strip()[:254]
    if not name:
        return None
    user = db.scalars(select(User).where(or_(User.username == name, User.email == name))).first()
    return user if user is not None and user.status == "active" else None


def issue(db: Session, user: User, now: datetime) -> str:
    """A new reset token for `user` (older unused ones stop working)."""
    db.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
               .values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.add(PasswordReset(token_hash=token_hash(token), user_id=user.id, created_at=now, expires_at=now + LIFETIME))
    return token


def deliver(outbox: Path, user: User, link: str, now: datetime) -> Path:
    """Write the reset message for the mail relay."""
    path = outbox / f"{now:%Y%m%dT%H%M%S}-{user.id}-{secrets.token_hex(4)}.txt"
    body = (f"To: {user.email or user.username}\nSubject: Reset your password\n\n"
            f"Open this link within 30 minutes to choose a new password:\n{link}\n")
    write_private(path, body.encode())
    return path


def complete(db: Session, token: str, new_password: str, now: datetime) -> User:
    """Spend a reset token: set the new password and sign out every session."""
    row = db.scalars(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token[:100]))).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise ResetError("this reset link is invalid or has expired")
    user = db.get(User, row.user_id)
    if user is None or user.status != "active":
        raise ResetError("this reset link is invalid or has expired")
    try:
        check_policy(new_password, user.username)
    except ValueError as exc:
        raise ResetError(str(exc)) from None
    row.used_at = now
    user.password_hash, user.password_changed_at = hash_password(new_password), now
    user.must_reset_password, user.failed_logins = False, 0
    sessions.revoke_all(db, user.id, now)
    return user
