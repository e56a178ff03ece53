"""Browser-facing protections: security headers with a strict CSP, CSRF tokens, client identity."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from fastapi import Request, Response

# No inline script or style anywhere; everything comes from our own /static files.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SESSION_COOKIE = "mlm_dash_session"
PRE_COOKIE = "mlm_dash_pre"


def apply_headers(response: Response, path: str, tls: bool = False) -> None:
    """Set the security headers every response carries (HSTS only over TLS, where browsers honour it)."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if not path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    if tls:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(value: object, limit: int = 200) -> str:
    """Attacker-controlled text for a log line: cut, every control character (CR/LF, ESC, NUL) escaped."""
    return _CONTROL_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(value)[:limit])


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def pre_login_csrf(secret: bytes, nonce: str) -> str:
    """CSRF token for forms shown before a session exists, bound to a random cookie nonce."""
    return hmac.new(secret, b"pre-login:" + nonce.encode(), hashlib.sha256).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:256]


def set_cookie(response: Response, name: str, value: str, secure: bool, max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=secure, max_age=max_age, path="/"
    )
