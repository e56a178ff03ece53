"""Emit `mlm.auth` events about an account that may not be the signed-in user (yet)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from mlm_app.accounts.models import User
from mlm_app.events import emit


def session_id(request: Request, session_row_id: int) -> str:
    """The stable public id of a session (a keyed hash of its row, never its token)."""
    return request.app.state.keys.sign(f"sid:{session_row_id}")[:32]


def auth_event(request: Request, action: str, user: User | None, *, outcome: str = "success",
               username: str | None = None, **extra: Any) -> None:
    """Emit one mlm.auth event; `extra` keys use `__` for dots (mlm__auth__method="totp")."""
    fields: dict[str, Any] = {k.replace("__", "."): v for k, v in extra.items()}
    if user is not None:
        fields.setdefault("user.id", user.id)
        fields.setdefault("user.name", user.username)
    elif username is not None:
        fields["user.name"] = username[:256]
    emit(request, "mlm.auth", action, outcome=outcome, fields=fields)
