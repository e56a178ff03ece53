"""Analyst accounts: argon2 passwords, mandatory TOTP, server-side sessions, lockout."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from dashboard.analysts.schemas import ROLES, AnalystView, Principal
from dashboard.analysts.throttle import LoginThrottle
from dashboard.context import AppContext
from dashboard.models import Analyst, WebSession
from dashboard.security import new_token, token_hash

_USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_MFA_FAILURES = 5
MFA_STAGE_SECONDS = 300


def _hasher(ctx: AppContext) -> tuple[PasswordHasher, str]:
    """The argon2id hasher of these settings, and a dummy hash verified when a username is unknown
    (so both paths cost the same time)."""
    if "hasher" not in ctx.cache:
        hasher = PasswordHasher(
            time_cost=ctx.settings.password_time_cost, memory_cost=ctx.settings.password_memory_kib
        )
        ctx.cache["hasher"] = (hasher, hasher.hash("not-a-real-password"))
    return ctx.cache["hasher"]  # type: ignore[return-value]


class AuthError(Exception):
    """Login refused; the message is safe to show (never says which factor or user was wrong)."""


class AnalystError(ValueError):
    """Bad analyst data (name, role)."""


def create_analyst(ctx: AppContext, username: str, role: str, password: str | None = None) -> tuple[str, str]:
    """Create an analyst; returns (password, totp_secret). A random password when none is given."""
    if not _USERNAME_RE.match(username):
        raise AnalystError("username must be 1-64 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AnalystError(f"role must be one of {', '.join(ROLES)}")
    password = password or secrets.token_urlsafe(18)
    if len(password) < 12:
        raise AnalystError("password must be at least 12 characters")
    totp_secret = pyotp.random_base32()
    with ctx.db.session() as db:
        if db.scalar(select(Analyst.id).where(Analyst.username == username)) is not None:
            raise AnalystError("an analyst with that username exists")
        db.add(
            Analyst(
                username=username,
                password_hash=_hasher(ctx)[0].hash(password),
                totp_secret=totp_secret,
                role=role,
                created_at=ctx.clock(),
            )
        )
    return password, totp_secret


def check_password(ctx: AppContext, username: str, password: str, ip: str) -> str:
    """First factor: on success a short MFA-stage session token; raises AuthError otherwise."""
    now = ctx.clock()
    hasher, dummy = _hasher(ctx)
    throttle = ctx.cache.setdefault("login_throttle", LoginThrottle())
    assert isinstance(throttle, LoginThrottle)
    if throttle.blocked(ip, now):
        raise AuthError("too many failed logins from this address; try again later (locked)")
    with ctx.db.session() as db:
        analyst = db.scalar(select(Analyst).where(Analyst.username == username[:64]))
        if analyst is None or not analyst.active:
            _verify(hasher, dummy, password)
            throttle.failed(ip, now)
            raise AuthError("invalid credentials")
        if analyst.locked_until and analyst.locked_until > now:
            raise AuthError("account temporarily locked")
        if not _verify(hasher, analyst.password_hash, password):
            analyst.failed_logins += 1
            if analyst.failed_logins >= ctx.settings.login_max_failures:
                analyst.locked_until = now + timedelta(seconds=ctx.settings.login_lockout_seconds)
                analyst.failed_logins = 0
            raise_after_commit = True
        else:
            raise_after_commit = False
            analyst.failed_logins = 0
            if hasher.check_needs_rehash(analyst.password_hash):  # cost settings changed: upgrade
                analyst.password_hash = hasher.hash(password)
            token = new_token()
            db.add(
                WebSession(
                    id=token_hash(token),
                    analyst_id=analyst.id,
                    stage="mfa",
                    csrf_token=new_token(),
                    created_at=now,
                    last_seen=now,
                    ip=ip[:64],
                )
            )
    if raise_after_commit:
        throttle.failed(ip, now)
        raise AuthError("invalid credentials")
    return token


def _verify(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password[:1024])
    except (VerificationError, InvalidHashError):
        return False


def check_mfa(ctx: AppContext, token: str, code: str) -> tuple[str, str]:
    """Second factor: returns (new full-session token, username); the old token dies (no fixation)."""
    now = ctx.clock()
    with ctx.db.session() as db:
        session = db.get(WebSession, token_hash(token))
        if (
            session is None
            or session.stage != "mfa"
            or now - session.created_at > timedelta(seconds=MFA_STAGE_SECONDS)
        ):
            raise AuthError("login expired, start again")
        analyst = db.get(Analyst, session.analyst_id)
        step = _totp_step(analyst.totp_secret, code, now) if analyst else None
        if analyst is None or step is None or step <= analyst.last_totp_step:
            session.mfa_failures += 1
            if session.mfa_failures >= MAX_MFA_FAILURES:
                db.delete(session)
            failed = True
        else:
            failed = False
            analyst.last_totp_step = step  # a code works once: replayed codes are refused
            db.delete(session)
            full = new_token()
            db.add(
                WebSession(
                    id=token_hash(full),
                    analyst_id=analyst.id,
                    stage="full",
                    csrf_token=new_token(),
                    created_at=now,
                    last_seen=now,
                    ip=session.ip,
                )
            )
            username = analyst.username
    if failed:
        raise AuthError("invalid code")
    return full, username


def _totp_step(secret: str, code: str, now: object) -> int | None:
    """The time step a TOTP code belongs to (one step of clock drift allowed), or None."""
    code = code.strip()
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    base = totp.timecode(now)  # type: ignore[arg-type]
    for step in (base, base - 1, base + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def load_principal(ctx: AppContext, token: str | None, ip: str, user_agent: str) -> Principal | None:
    """The analyst behind a full session cookie, refreshing its idle timer; None when invalid."""
    if not token or len(token) > 100:
        return None
    now = ctx.clock()
    with ctx.db.session() as db:
        session = db.get(WebSession, token_hash(token))
        if session is None or session.stage != "full":
            return None
        idle = now - session.last_seen > timedelta(seconds=ctx.settings.session_idle_seconds)
        old = now - session.created_at > timedelta(seconds=ctx.settings.session_max_seconds)
        analyst = db.get(Analyst, session.analyst_id)
        if idle or old or analyst is None or not analyst.active:
            db.delete(session)
            return None
        session.last_seen = now
        return Principal(analyst.username, analyst.role, session.csrf_token, ip, user_agent)


def end_session(ctx: AppContext, token: str | None) -> None:
    if token:
        with ctx.db.session() as db:
            db.execute(delete(WebSession).where(WebSession.id == token_hash(token)))


def purge_sessions(ctx: AppContext) -> int:
    """Drop sessions past their maximum age or idle limit (abandoned MFA steps included)."""
    now = ctx.clock()
    oldest = now - timedelta(seconds=ctx.settings.session_max_seconds)
    idle = now - timedelta(seconds=max(ctx.settings.session_idle_seconds, MFA_STAGE_SECONDS))
    with ctx.db.session() as db:
        result = db.execute(
            delete(WebSession).where((WebSession.created_at < oldest) | (WebSession.last_seen < idle))
        )
        return int(getattr(result, "rowcount", 0) or 0)


def mfa_session_csrf(ctx: AppContext, token: str | None) -> str | None:
    """The CSRF token of an MFA-stage session (for the code form)."""
    if not token:
        return None
    with ctx.db.session() as db:
        session = db.get(WebSession, token_hash(token))
        return session.csrf_token if session is not None and session.stage == "mfa" else None


def list_analysts(ctx: AppContext) -> list[AnalystView]:
    now = ctx.clock()
    with ctx.db.session() as db:
        rows = db.scalars(select(Analyst).order_by(Analyst.username)).all()
        return [
            AnalystView(
                r.username,
                r.role,
                r.active,
                bool(r.locked_until and r.locked_until > now),
                r.created_at.strftime("%Y-%m-%d"),
            )
            for r in rows
        ]


def set_role(ctx: AppContext, username: str, role: str, active: bool) -> None:
    """Change an analyst's role or disable them; disabling ends their sessions."""
    if role not in ROLES:
        raise AnalystError("unknown role")
    with ctx.db.session() as db:
        analyst = db.scalar(select(Analyst).where(Analyst.username == username))
        if analyst is None:
            raise AnalystError("no such analyst")
        analyst.role, analyst.active = role, active
        if not active:
            db.execute(delete(WebSession).where(WebSession.analyst_id == analyst.id))
