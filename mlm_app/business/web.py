"""The web seam of the business routers: one route class turning domain errors into responses.

Routers stay thin: they parse the form, call one service function and render a view model. Any
`BusinessError` a service raises becomes a page here; `AccessDenied` is also audited as
`access_denied` (with the target distributor) and answered exactly like a missing record.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from mlm_app.business.config import BusinessConfig, config_of
from mlm_app.business.errors import AccessDenied, BusinessError
from mlm_app.db import utcnow
from mlm_app.events import emit
from mlm_app.web.templating import render

TITLES = {404: "Not found", 409: "Not possible right now", 422: "Please check your input", 400: "Bad request"}


def audit_denied(request: Request, exc: AccessDenied) -> None:
    """The `access_denied` event of EVENTS.md for a refused business request."""
    emit(request, "mlm.audit", "access_denied", outcome="failure", fields={
        "url.path": request.url.path, "mlm.target.id": exc.target_id, "event.reason": str(exc)[:200]})


def error_response(request: Request, exc: BusinessError) -> Response:
    if isinstance(exc, AccessDenied):
        audit_denied(request, exc)
    detail = "No such record." if exc.status == 404 else str(exc)
    if request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"detail": detail}, status_code=exc.status)
    return render(request, "error.html", {"title": TITLES.get(exc.status, "Error"), "detail": detail}, exc.status)


class BusinessRoute(APIRoute):
    """An APIRoute whose handler answers BusinessError itself (no app-wide handler needed)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except BusinessError as exc:
                return error_response(request, exc)

        return guarded


def config(request: Request) -> BusinessConfig:
    return config_of(request.app.state)


def now(request: Request) -> datetime:
    """The wall clock, read at the edge (tests may pin `app.state.clock`)."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if callable(clock) else utcnow()


def fingerprint(request: Request) -> Callable[[str, str], str]:
    return request.app.state.keys.fingerprint
