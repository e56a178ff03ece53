"""Staff actions on accounts; each returns the event fields the router emits."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mlm_app.accounts import auth, mfa, sessions
from mlm_app.accounts.models import ROLES, STAFF_ROLES, User
from mlm_app.accounts.service import AccountError, create_account, next_staff_id
from mlm_app.errors import Forbidden


class NotFoundError(LookupError):
    """No account with that id."""


def search(db: Session, text: str, limit: int = 50) -> list[User]:
    """Accounts whose id or username contains `text` (bound parameter, escaped wildcards)."""
    stmt = select(User).order_by(User.id).limit(limit)
    text = text.strip()[:64]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(User.id.like(pattern, escape="\\"), User.username.like(pattern, escape="\\")))
    return list(db.scalars(stmt))


def target(db: Session, user_id: str) -> User:
    user = db.get(User, user_id[:32])
    if user is None:
        raise NotFoundError(user_id)
    return user


def create_staff(db: Session, username: str, role: str) -> tuple[User, str]:
    """A staff account with a random one-time password (changed at first sign-in, MFA enrolled then)."""
    if role not in STAFF_ROLES:
        raise AccountError("staff role must be admin, support or finance")
    password = secrets.token_urlsafe(12)
    user = create_account(db, username.strip(), password, role, next_staff_id(db))
    user.must_reset_password = True
    return user, password


def change_role(db: Session, actor: User, user: User, role: str, now: datetime) -> str:
    """Give `user` a new role; returns the previous one. Admins cannot demote themselves."""
    if role not in ROLES:
        raise ValueError("unknown role")
    if actor.id == user.id:
        raise Forbidden("admins cannot change their own role", target_id=user.id)
    previous, user.role = user.role, role
    if previous != role:
        sessions.revoke_all(db, user.id, now)  # new privileges start from a fresh sign-in (with MFA)
    return previous


def lock(db: Session, user: User, now: datetime) -> int:
    auth.lock(user, None, "staff_action")
    return sessions.revoke_all(db, user.id, now)


def reset_mfa(db: Session, user: User, now: datetime) -> None:
    """Remove the user's factor; they enrol again at next sign-in (support's lost-phone flow)."""
    mfa.disable(db, user)
    user.must_reenrol_mfa = True
    sessions.revoke_all(db, user.id, now)
