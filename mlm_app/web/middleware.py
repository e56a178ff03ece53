"""The security middleware: one pass per request that resolves the client, refuses blocked
addresses, loads the session, checks CSRF, sets security headers and logs one `mlm.http` event."""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from mlm_app.accounts.sessions import COOKIE, DEVICE_COOKIE
from mlm_app.events.redact import redact_body, redact_pairs, redact_url
from mlm_app.logsafe import printable
from mlm_app.security.proxies import client_ip
from mlm_app.web import context
from mlm_app.web.headers import apply_security_headers

log = logging.getLogger(__name__)
MAX_BODY = 1_048_576  # forms here are small; a larger body is refused before anything parses it
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT = ("/api/admin/response",)  # bearer-token APIs: no cookies, so no CSRF


class SecurityMiddleware(BaseHTTPMiddleware):
    """Wraps every request; see the module docstring."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter_ns()
        state = request.app.state
        request.state.client_ip = client_ip(
            request.client.host if request.client else None, request.headers.get("x-forwarded-for"),
            state.trusted_networks)
        device = request.cookies.get(DEVICE_COOKIE)
        new_device = not context.valid_device_id(device)
        request.state.device_id = context.new_device_id() if new_device else device
        request.state.device_presented = not new_device
        body, too_big = await _read_body(request)
        try:
            response = await self._guarded(request, call_next, body, too_big, new_device)
        except Exception:  # still answer, still log the request: errors are evidence too
            log.exception("unhandled error in %s %s", printable(request.method, 16), printable(request.url.path))
            response = PlainTextResponse("internal error", status_code=500)
        apply_security_headers(response, state.settings.secure_cookies)
        _log_request(request, response, body, time.perf_counter_ns() - started)
        return response

    async def _guarded(self, request: Request, call_next: RequestResponseEndpoint, body: bytes,
                       too_big: bool, new_device: bool) -> Response:
        state = request.app.state
        if too_big:
            return PlainTextResponse("request body too large", status_code=413)
        resolved = await run_in_threadpool(
            context.resolve, state.db_factory, state.settings, request.state.client_ip,
            request.cookies.get(COOKIE))
        if resolved.blocked:
            return PlainTextResponse("access from this address is blocked", status_code=403)
        _attach(request, resolved)
        if request.method in UNSAFE and not _csrf_ok(request, body):
            response: Response = PlainTextResponse("invalid or missing CSRF token", status_code=403)
        else:
            response = await call_next(request)
        _set_cookies(request, response, resolved, new_device)
        return response


async def _read_body(request: Request) -> tuple[bytes, bool]:
    """The request body if within MAX_BODY (cached by Starlette for the handler), else a refusal flag."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        return b"", True
    if request.method not in UNSAFE:
        return b"", False
    body = await request.body()
    return body, len(body) > MAX_BODY


def _attach(request: Request, resolved: context.Resolved) -> None:
    keys = request.app.state.keys
    request.state.user = resolved.user
    request.state.pending_user = resolved.pending_user
    request.state.auth_session = resolved.auth
    request.state.session_hash = keys.sign(f"sid:{resolved.auth.id}")[:32] if resolved.auth else None
    request.state.resolved = resolved
    request.state.csrf = csrf_token(request)


def csrf_token(request: Request) -> str:
    """A token bound to the session (or, before login, to the device cookie)."""
    auth = getattr(request.state, "auth_session", None)
    binding = f"s:{auth.id}:{auth.user_id}" if auth else f"d:{request.state.device_id}"
    return request.app.state.keys.sign("csrf:" + binding)


def _csrf_ok(request: Request, body: bytes) -> bool:
    if request.url.path.startswith(CSRF_EXEMPT):
        return True
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        sent = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)).get("csrf_token")
    return bool(sent) and hmac.compare_digest(str(sent), request.state.csrf)


def _set_cookies(request: Request, response: Response, resolved: context.Resolved, new_device: bool) -> None:
    settings = request.app.state.settings
    secure = settings.secure_cookies
    if new_device:
        response.set_cookie(DEVICE_COOKIE, request.state.device_id, max_age=2 * 365 * 86400,
                            httponly=True, secure=secure, samesite="lax")
    handled = getattr(request.state, "session_cookie_set", False)
    if handled:
        return
    if resolved.new_token:
        response.set_cookie(COOKIE, resolved.new_token, httponly=True, secure=secure, samesite="lax",
                            max_age=int(settings.session_hours * 3600))
    elif resolved.clear_cookie:
        response.delete_cookie(COOKIE, httponly=True, secure=secure, samesite="lax")


def _log_request(request: Request, response: Response, body: bytes, duration_ns: int) -> None:
    """Emit the `mlm.http` event of EVENTS.md for this request."""
    query = request.scope.get("query_string", b"").decode("latin-1")
    content_type = request.headers.get("content-type", "")
    fields: dict[str, Any] = {
        "http.request.method": request.method,
        "url.path": request.scope.get("raw_path", b"").decode("latin-1") or request.url.path,
        "url.query": redact_pairs(query) if query else None,
        "http.request.body.bytes": len(body),
        "http.request.body.content": redact_body(body, content_type) or None,
        "http.request.mime_type": content_type.split(";", 1)[0][:100] or None,
        "http.request.referrer": redact_url(request.headers["referer"])[:2048]
        if "referer" in request.headers else None,
        "http.response.status_code": response.status_code,
        "http.response.body.bytes": int(response.headers.get("content-length", "0") or 0),
        "event.duration": duration_ns,
    }
    request.app.state.emitter.emit("mlm.http", "http_request", request=request, fields=fields,
                                   outcome="failure" if response.status_code >= 400 else "success")
