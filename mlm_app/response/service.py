"""Carry out SIEM response actions on accounts and addresses; returns the events to emit."""

from __future__ import annotations

import importlib
import importlib.util
import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from mlm_app.accounts import auth, mfa, reset, sessions
from mlm_app.accounts.models import BlockedIP, ResponseRecord, User
from mlm_app.response.schemas import IP_ACTIONS, REVERT, ResponseRequest

PAYOUT_SERVICE = "mlm_app.business.payouts.service"
UNUSABLE_PASSWORD = "!reset-required"  # not an argon2 hash: no password verifies against it


class UnknownTarget(LookupError):
    """No account with that id, or not an IP address for an IP action."""


@dataclass
class Outcome:
    """Result of one action: the undo step and the events that record it."""

    revert: dict[str, str] | None
    events: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


def _user(db: Session, target: str) -> User:
    user = db.get(User, target)
    if user is None:
        raise UnknownTarget(target)
    return user


def _ip(target: str) -> str:
    try:
        return str(ipaddress.ip_address(target))
    except ValueError:
        raise UnknownTarget(target) from None


def _payout_service() -> Any:
    """The business payout service when installed (it holds requested payouts too)."""
    try:
        if importlib.util.find_spec(PAYOUT_SERVICE) is None:
            return None
    except ModuleNotFoundError:
        return None
    return importlib.import_module(PAYOUT_SERVICE)


@dataclass(frozen=True)
class Context:
    """What handlers need besides the database: the time, an emitter for the payout service's own
    events (a Request or Emitter), and the outbox folder for mailed reset links."""

    now: datetime
    emitter: Any = None
    outbox: Path | None = None
    base_url: str = ""


def perform(db: Session, req: ResponseRequest, now: datetime, emitter: Any = None,
            outbox: Path | None = None, base_url: str = "") -> Outcome:
    """Apply `req` (already validated) and record it; raises UnknownTarget."""
    target = _ip(req.target) if req.action in IP_ACTIONS else req.target
    handler = _HANDLERS[req.action]
    events = handler(db, target, req, Context(now, emitter, outbox, base_url))
    db.add(ResponseRecord(request_id=req.request_id or "-", action=req.action, target=target,
                          reason=req.reason[:500], duration_seconds=req.duration_seconds, at=now))
    undo = REVERT[req.action]
    return Outcome({"action": undo, "target": target} if undo else None, events)


def _until(req: ResponseRequest, now: datetime) -> datetime | None:
    return now + timedelta(seconds=req.duration_seconds) if req.duration_seconds else None


def _lock(db: Session, target: str, req: ResponseRequest, ctx: Context) -> list:
    user = _user(db, target)
    auth.lock(user, _until(req, ctx.now), "siem_response")
    revoked = sessions.revoke_all(db, user.id, ctx.now)
    return [("mlm.auth", "account_locked", _who(user, {"mlm.auth.lock_reason": "siem_response"})),
            *_revoked_events(user, revoked)]


def _unlock(db: Session, target: str, req: ResponseRequest, ctx: Context) -> list:
    user = _user(db, target)
    auth.unlock(user)
    return [("mlm.auth", "account_unlocked", _who(user, {"mlm.auth.lock_reason": "siem_response"}))]


def _revoke(db: Session, target: str, req: ResponseRequest, ctx: Context) -> list:
    user = _user(db, target)
    return _revoked_events(user, sessions.revoke_all(db, user.id, ctx.now))


def _hold(db: Session, target: str, req: ResponseRequest, ctx: Context) -> list:
    user = _user(db, target)
    user.payouts_held, user.payouts_held_reason = True, (req.reason or "siem_response")[:200]
    service = _payout_service()
    if service is not None and hasattr(service, "hold_payouts"):
        service.hold_payouts(db, user.id, user.payouts_held_reason, events=ctx.emitter)  # logs payout_held
    return []


def _release(db: Session, target: str, req: ResponseRequest, ctx: Context) -> list:
    user = _user(db, target)
    user.payouts_held, user.payouts_held_reason = False, None
    service = _payout_service()
    if service is not None and hasattr(service, "release_payouts"):
        service.release_payouts(db, user.id, events=ctx.emitter)
    return []


def _block(db: Session, ip: str, req: ResponseRequest, ctx: Context) -> list:
    row = db.get(BlockedIP, ip) or BlockedIP(ip=ip, created_at=ctx.now)
    row.until, row.reason = _until(req, ctx.now), req.reason[:200] or "siem_response"
    db.add(row)
    return []


def _unblock(db: Session, ip: str, req: ResponseRequest, ctx: Context) -> list:
    row = db.get(BlockedIP, ip)
    if row is not None:
        db.delete(row)
    return []


def _force_reset(db: Session, target: str, req: ResponseRequest, ctx: Context) -> list:
    """The current password stops working (it may be the attacker's way in); a reset link is mailed."""
    user = _user(db, target)
    user.must_reset_password = True
    user.password_hash = UNUSABLE_PASSWORD
    revoked = sessions.revoke_all(db, user.id, ctx.now)
    if ctx.outbox is not None and user.status == "active":
        reset.deliver(ctx.outbox, user, f"{ctx.base_url}/password/reset?token={reset.issue(db, user, ctx.now)}", ctx.now)
    return [("mlm.auth", "password_reset_requested", _who(user, {"mlm.auth.reason": "siem_response"})),
            *_revoked_events(user, revoked)]


def _force_mfa(db: Session, target: str, req: ResponseRequest, ctx: Context) -> list:
    user = _user(db, target)
    mfa.disable(db, user)
    user.must_reenrol_mfa = True
    revoked = sessions.revoke_all(db, user.id, ctx.now)
    return [("mlm.auth", "mfa_reset", _who(user, {"mlm.auth.reason": "siem_response"})),
            *_revoked_events(user, revoked)]


def _who(user: User, extra: dict[str, Any]) -> dict[str, Any]:
    """Fields naming the account acted upon (the actor is the SIEM, not the user)."""
    return {"user.id": user.id, "user.name": user.username, "mlm.target.id": user.id, **extra}


def _revoked_events(user: User, count: int) -> list:
    if not count:
        return []
    return [("mlm.auth", "session_revoked", _who(user, {"mlm.auth.reason": "siem_response",
                                                          "mlm.session.count": count}))]


_HANDLERS = {"lock_account": _lock, "unlock_account": _unlock, "revoke_sessions": _revoke,
             "hold_payouts": _hold, "release_payouts": _release, "block_ip": _block, "unblock_ip": _unblock,
             "force_password_reset": _force_reset, "force_mfa_reenrol": _force_mfa}
