"""Small helpers for HTML routes: render a template with a view model, redirect after POST."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render `name` with the view model; templates also see the acting analyst as `me`."""
    ctx = request.app.state.ctx
    me = getattr(request.state, "principal", None)
    live_ms = int(ctx.settings.live_interval_seconds * 1000)
    return ctx.templates.TemplateResponse(
        request, name, {"me": me, "live_ms": live_ms, **context}, status_code=status
    )


def redirect(url: str) -> RedirectResponse:
    """Every form POST answers with a 303 to a GET page (no resubmission on reload)."""
    return RedirectResponse(url, status_code=303)
