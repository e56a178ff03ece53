"""FastAPI dependencies: the shared context, who is asking, role checks and CSRF (deny by default)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Form, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dashboard.analysts.schemas import ROLES, Principal
from dashboard.analysts.service import load_principal
from dashboard.context import AppContext
from dashboard.security import SESSION_COOKIE, client_ip, same, user_agent


class LoginRequired(Exception):
    """No valid session: browsers are sent to the login page."""


class Forbidden(Exception):
    """Authenticated but the role does not allow it (or a CSRF check failed)."""


class ApiUnauthorized(Exception):
    """Missing or invalid API token."""


def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


def web_principal(request: Request, ctx: Ctx) -> Principal:
    """The analyst of this browser session (full MFA done), or LoginRequired."""
    principal = load_principal(
        ctx, request.cookies.get(SESSION_COOKIE), client_ip(request), user_agent(request)
    )
    if principal is None:
        raise LoginRequired()
    request.state.principal = principal
    return principal


def require(role: str) -> Callable[..., Principal]:
    """A dependency admitting analysts whose role includes `role`."""
    assert role in ROLES

    def check(principal: Annotated[Principal, Depends(web_principal)]) -> Principal:
        if not principal.can(role):
            raise Forbidden()
        return principal

    return check


def require_post(role: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """Like `require`, for form POSTs: also checks the session's CSRF token in the form."""
    checker = require(role)

    # A default-value Depends: string annotations cannot see this closure's `checker`.
    async def check(request: Request, principal: Principal = Depends(checker)) -> Principal:  # noqa: B008
        form = await request.form()
        if not same(str(form.get("csrf_token", "")), principal.csrf):
            raise Forbidden()
        return principal

    return check


_BEARER = HTTPBearer(
    auto_error=False, description="an `api` token: mlm-siem token create --kind api --role ROLE"
)


def api_principal(
    request: Request, ctx: Ctx, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]
) -> Principal:
    """The holder of an `api` bearer token; its role comes from the token record."""
    info = ctx.tokens.verify("api", credentials.credentials.strip()) if credentials else None
    if info is None or info.role not in ROLES:
        raise ApiUnauthorized()
    return Principal(f"api:{info.name}", info.role, "", client_ip(request), user_agent(request), via="api")


def api_require(role: str) -> Callable[..., Principal]:
    def check(principal: Annotated[Principal, Depends(api_principal)]) -> Principal:
        if not principal.can(role):
            raise Forbidden()
        return principal

    return check


# Database row ids: SQLite and PostgreSQL integers are 64-bit, so a larger number is a client error
# (422), not an OverflowError deep in the driver (500).
ROW_ID_MAX = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
FormRowId = Annotated[int, Form(ge=1, le=ROW_ID_MAX)]

Viewer = Annotated[Principal, Depends(require("viewer"))]
Responder = Annotated[Principal, Depends(require("responder"))]
Admin = Annotated[Principal, Depends(require("admin"))]
ViewerPost = Annotated[Principal, Depends(require_post("viewer"))]
AnalystPost = Annotated[Principal, Depends(require_post("analyst"))]
ResponderPost = Annotated[Principal, Depends(require_post("responder"))]
AdminPost = Annotated[Principal, Depends(require_post("admin"))]
ApiViewer = Annotated[Principal, Depends(api_require("viewer"))]
ApiAnalyst = Annotated[Principal, Depends(api_require("analyst"))]
