"""PostgreSQL text refuses NUL: one driver-seam listener for every SQLAlchemy engine of the project.

Anyone can type NUL into a sign-in form, and alerts carry it from events; unfiltered, one such value
is a 500 for a client's input or fails every insert of its batch (a stalled alert worker). It becomes
U+FFFD, which matches no stored name or token.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event


def without_nul(value: Any) -> Any:
    """`value` (a parameter, or a dict/list/tuple of them) with every NUL replaced by U+FFFD."""
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {k: without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(without_nul(v) for v in value)
    return value


def _parameters_without_nul(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any,
                            _many: bool) -> tuple[str, Any]:
    return statement, without_nul(parameters)


def replace_nul_in_parameters(engine: Engine) -> None:
    """Install the listener on a (PostgreSQL) engine."""
    event.listen(engine, "before_cursor_execute", _parameters_without_nul, retval=True)
