"""Helpers for the dashboard security tests: an app with data, logged-in clients per role, route lists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

PATH_PARAM = re.compile(r"\{(\w+)\}")
PUBLIC = {"/health", "/login", "/login/mfa"}
# What a 5xx page or JSON may never contain: stack traces, source paths, library internals.
INTERNALS = re.compile(
    r"Traceback|File \"|sqlalchemy|sqlite3|psycopg|/work/|site-packages|Exception", re.IGNORECASE
)


def api_routes(app: Any) -> Iterator[APIRoute]:
    """Every FastAPI route of the app, including those of included routers."""
    for route in getattr(app, "routes", []):
        inner = getattr(route, "original_router", None)  # fastapi keeps included routers whole, nested
        if inner is not None:
            yield from api_routes(inner)
        elif isinstance(route, APIRoute):
            yield route


def page_csrf(client: TestClient) -> str:
    """The session's CSRF token, read from any authenticated form page."""
    html = client.get("/incidents").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf token on /incidents"
    return match.group(1)


def assert_clean(response: Any, what: object) -> None:
    """No server error and nothing of the server's internals in the answer."""
    assert response.status_code < 500, (what, response.status_code, response.text[:300])
    assert not INTERNALS.search(response.text), (what, response.text[:300])
