"""Jinja2 rendering with autoescape; every page gets the CSRF token and the signed-in user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


def extra_template_dirs(*dirs: str | Path) -> None:
    """Let another package (mlm_app.business) add its template folders to the search path."""
    loader = TEMPLATES.env.loader
    for folder in dirs:
        if str(folder) not in loader.searchpath:  # type: ignore[union-attr]
            loader.searchpath.append(str(folder))  # type: ignore[union-attr]


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    """Render a template with the request's csrf token and user added to the context."""
    ctx = {"csrf_token": getattr(request.state, "csrf", ""),
           "current_user": getattr(request.state, "user", None)}
    ctx.update(context or {})
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    """A 303 redirect after a form POST."""
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths are followed after login (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target[:500]
