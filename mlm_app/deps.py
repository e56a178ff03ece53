"""FastAPI dependencies as Annotated types: database session, current user, roles, step-up MFA.

The security middleware resolves the session cookie once per request and leaves the user on
`request.state.user`; these dependencies only read it, so every domain sees the same identity.

    @router.post("/payouts")
    def request_payout(user: StepUpUser, db: DbSession): ...
    @router.get("/admin/x")
    def admin_only(user: Annotated[User, Depends(require_roles("admin", "finance"))]): ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from mlm_app.accounts.models import User
from mlm_app.db import utcnow
from mlm_app.errors import Forbidden, NotAuthenticated, PasswordChangeRequired, StepUpRequired
from mlm_app.settings import AppSettings

PASSWORD_CHANGE_PATHS = ("/account/password", "/logout")


def get_db(request: Request) -> Iterator[Session]:
    """One session per request: committed when the handler returns, rolled back on error."""
    session = request.app.state.db_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_settings(request: Request) -> AppSettings:
    return request.app.state.settings


def optional_user(request: Request) -> User | None:
    """The signed-in user (password and, where required, MFA passed), or None."""
    return getattr(request.state, "user", None)


def require_user(request: Request) -> User:
    """The signed-in user; refuses anonymous requests."""
    user = optional_user(request)
    if user is None:
        raise NotAuthenticated()
    if user.must_reset_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    return user


def require_roles(*roles: str) -> Callable[[Request], User]:
    """A dependency admitting only users holding one of `roles` (deny by default)."""

    def check(request: Request) -> User:
        user = require_user(request)
        if user.role not in roles:
            raise Forbidden(f"role {user.role} may not use this")
        return user

    return check


def require_step_up(request: Request) -> User:
    """The signed-in user, who must have passed a second factor in the last few minutes.

    Used for bank-account changes and payout requests; users without MFA are sent to enrol first.
    """
    user = require_user(request)
    settings: AppSettings = request.app.state.settings
    auth = getattr(request.state, "auth_session", None)
    fresh_after = utcnow() - timedelta(seconds=settings.step_up_seconds)
    if auth is None or auth.step_up_at is None or auth.step_up_at < fresh_after:
        raise StepUpRequired()
    return user


# scope="function": commit before the response leaves, so the client's next request sees the write
# (a login's new session row must exist when the browser follows the redirect).
DbSession = Annotated[Session, Depends(get_db, scope="function")]
Settings = Annotated[AppSettings, Depends(get_settings)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(require_user)]
StepUpUser = Annotated[User, Depends(require_step_up)]
StaffUser = Annotated[User, Depends(require_roles("admin", "support", "finance"))]
AdminUser = Annotated[User, Depends(require_roles("admin"))]
FinanceUser = Annotated[User, Depends(require_roles("admin", "finance"))]
