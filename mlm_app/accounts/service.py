"""Account logic: create accounts, find them, change roles and passwords. Raises domain errors."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlm_app.accounts.models import ROLES, User
from mlm_app.db import utcnow
from mlm_app.security.passwords import check_policy, hash_password

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
USER_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class AccountError(ValueError):
    """A request about an account was refused (bad input, duplicate, unknown)."""


def create_account(
    session: Session,
    username: str,
    password: str | None,
    role: str,
    user_id: str,
    *,
    email: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Add a login account (not committed). Distributors pass their distributor id as `user_id`.

    `password_hash` lets bulk seeding reuse one precomputed argon2 hash instead of hashing each time.
    """
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if not USERNAME_RE.match(username):
        raise AccountError("username must be 3-64 letters, digits or _ . @ -")
    if not USER_ID_RE.match(user_id):
        raise AccountError("user id must be 1-32 letters, digits, _ or -")
    if password_hash is None:
        if password is None:
            raise AccountError("a password or a password hash is required")
        check_policy(password, username)
        password_hash = hash_password(password)
    if session.get(User, user_id) is not None or find_by_username(session, username) is not None:
        raise AccountError("an account with this id or username already exists")
    user = User(
        id=user_id, username=username, email=email, password_hash=password_hash, role=role,
        status="active", created_at=utcnow(), failed_logins=0, mfa_enabled=False,
        must_reset_password=False, must_reenrol_mfa=False, payouts_held=False,
    )
    session.add(user)
    session.flush()
    return user


def find_by_username(session: Session, username: str) -> User | None:
    """The account with this username (exact match), or None."""
    return session.scalars(select(User).where(User.username == username)).first()


def get_user(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def next_staff_id(session: Session) -> str:
    """The next free staff id (`S0001`, `S0002`, ...), outside the distributor id space."""
    ids = session.scalars(select(User.id).where(User.id.like("S%"))).all()
    numbers = [int(i[1:]) for i in ids if i[1:].isdigit()]
    return f"S{(max(numbers) + 1 if numbers else 1):04d}"


def payouts_on_hold(session: Session, user_id: str) -> bool:
    """True when the SIEM (or staff) put this account's payouts on hold: the payout service must honour it."""
    user = session.get(User, user_id)
    return bool(user and user.payouts_held)
