"""Payouts: request (KYC, balance, holds, bank cool-off), finance approval, sending, hold and release.

`hold_payouts` / `release_payouts` are what the admin response API calls when the SIEM acts on a
distributor; they also honour and set the account's `payouts_held` flag owned by the accounts domain.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlm_app.accounts.models import User
from mlm_app.business.access import authorize, require_finance
from mlm_app.business.commissions.ledger import balance
from mlm_app.business.commissions.models import LedgerEntry
from mlm_app.business.config import BusinessConfig
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.errors import AccessDenied, Conflict, Invalid, NotFound
from mlm_app.business.payouts.models import Payout
from mlm_app.business.plans.common import money
from mlm_app.events import emit

OPEN_STATES = ("requested", "approved")


def _emit(events: Any, action: str, payout: Payout, **extra: Any) -> None:
    if events is None:
        return
    emit(events, "mlm.commerce", action, fields={
        "mlm.distributor.id": payout.distributor_id, "mlm.payout.id": payout.id,
        "mlm.payout.amount": float(payout.amount), "mlm.bank.fingerprint": payout.bank_fingerprint, **extra})


def _hold_reason(session: Session, member: Distributor, config: BusinessConfig, now: datetime) -> str | None:
    """Why a new payout must wait, if it must: a SIEM/staff hold or a recent bank-account change."""
    user = session.get(User, member.id)
    if user is not None and user.payouts_held:
        return user.payouts_held_reason or "payouts on hold"
    if user is not None and user.bank_fingerprint and user.bank_fingerprint != member.bank_fingerprint:
        # The accounts domain changed the bank account: the cool-off starts now.
        member.bank_fingerprint, member.bank_changed_at = user.bank_fingerprint, now
    changes = [c for c in (member.bank_changed_at, getattr(user, "bank_changed_at", None)) if c is not None]
    changed = max(changes) if changes else None
    if changed is not None and now - changed < timedelta(hours=config.payout_cool_off_hours):
        return "cool-off after a bank account change"
    return None


def request_payout(session: Session, actor: Any, amount: Decimal, *, config: BusinessConfig, now: datetime,
                   events: Any) -> Payout:
    """The signed-in distributor asks for `amount` of their balance; it is reserved in the ledger."""
    member = authorize(session, actor, actor.id, own_only=True)
    try:
        if not Decimal(amount).is_finite() or abs(Decimal(amount)) > 10**12:
            raise ValueError("not a finite amount")
        amount = money(amount)
    except (ArithmeticError, TypeError, ValueError):
        raise Invalid("amount must be a number of dollars and cents") from None
    if member.kyc_status != "verified":
        raise Conflict("identity verification (KYC) must be complete before a payout")
    if not member.bank_fingerprint:
        raise Conflict("add a bank account before requesting a payout")
    if amount < config.payout_minimum:
        raise Invalid(f"the minimum payout is {config.payout_minimum}")
    if amount > balance(session, member.id):
        raise Conflict("the amount is more than your balance")
    reason = _hold_reason(session, member, config, now)
    payout = Payout(id="P" + secrets.token_hex(8).upper(), distributor_id=member.id, amount=amount,
                    status="held" if reason else "requested", bank_fingerprint=member.bank_fingerprint,
                    hold_reason=reason, requested_at=now)
    session.add(payout)
    session.add(LedgerEntry(distributor_id=member.id, amount=-amount, kind="payout", payout_id=payout.id,
                            created_at=now))
    session.flush()
    _emit(events, "payout_requested", payout)
    if reason:
        _emit(events, "payout_held", payout, **{"mlm.payout.hold_reason": reason})
    return payout


def get_payout(session: Session, actor: Any, payout_id: str) -> Payout:
    """A payout the actor may see: their own, or any for staff."""
    payout = session.get(Payout, payout_id) if isinstance(payout_id, str) and len(payout_id) <= 40 else None
    if payout is None:
        raise NotFound("no such payout")
    try:
        authorize(session, actor, payout.distributor_id, own_only=True)
    except AccessDenied:
        raise AccessDenied(payout.distributor_id, "not your payout") from None
    return payout


def list_payouts(session: Session, actor: Any, distributor_id: str) -> list[Payout]:
    authorize(session, actor, distributor_id, own_only=True)
    return list(session.scalars(select(Payout).where(Payout.distributor_id == distributor_id)
                                .order_by(Payout.requested_at.desc())).all())


def approve_payout(session: Session, actor: Any, payout_id: str, *, now: datetime, events: Any) -> Payout:
    """Finance approves a requested payout; held ones must be released first."""
    require_finance(actor)
    payout = get_payout(session, actor, payout_id)
    if payout.status != "requested":
        raise Conflict(f"a {payout.status} payout cannot be approved")
    user = session.get(User, payout.distributor_id)
    if user is not None and user.payouts_held:
        raise Conflict("this distributor's payouts are on hold")
    payout.status, payout.decided_by, payout.decided_at = "approved", actor.id, now
    _emit(events, "payout_approved", payout)
    return payout


def send_payout(session: Session, actor: Any, payout_id: str, *, now: datetime, events: Any) -> Payout:
    """Finance marks an approved payout as sent to the bank."""
    require_finance(actor)
    payout = get_payout(session, actor, payout_id)
    if payout.status != "approved":
        raise Conflict("only approved payouts can be sent")
    payout.status, payout.decided_at = "sent", now
    _emit(events, "payout_sent", payout)
    return payout


def reject_payout(session: Session, actor: Any, payout_id: str, *, now: datetime) -> Payout:
    """Finance refuses a payout; the reserved amount returns to the wallet."""
    require_finance(actor)
    payout = get_payout(session, actor, payout_id)
    if payout.status not in ("requested", "held"):
        raise Conflict(f"a {payout.status} payout cannot be rejected")
    payout.status, payout.decided_by, payout.decided_at = "rejected", actor.id, now
    session.add(LedgerEntry(distributor_id=payout.distributor_id, amount=payout.amount, kind="payout_reversal",
                            payout_id=payout.id, created_at=now))
    return payout


def hold_payouts(session: Session, user_id: str, reason: str, *, events: Any = None) -> list[str]:
    """Hold every open payout of `user_id` and future ones until released; returns the held ids."""
    user = session.get(User, user_id) if isinstance(user_id, str) else None
    if user is None:
        raise NotFound("no such account")
    user.payouts_held, user.payouts_held_reason = True, (reason or "held")[:200]
    held = list(session.scalars(select(Payout).where(Payout.distributor_id == user_id,
                                                     Payout.status.in_(OPEN_STATES))).all())
    for payout in held:
        payout.status, payout.hold_reason = "held", user.payouts_held_reason
        _emit(events, "payout_held", payout, **{"mlm.payout.hold_reason": user.payouts_held_reason})
    session.flush()
    return [p.id for p in held]


def release_payouts(session: Session, user_id: str, reason: str = "", *, events: Any = None) -> list[str]:
    """Lift a hold: held payouts go back to `requested` for finance to approve; returns their ids."""
    user = session.get(User, user_id) if isinstance(user_id, str) else None
    if user is None:
        raise NotFound("no such account")
    user.payouts_held, user.payouts_held_reason = False, None
    held = list(session.scalars(select(Payout).where(Payout.distributor_id == user_id,
                                                     Payout.status == "held")).all())
    for payout in held:
        payout.status, payout.hold_reason = "requested", None
    session.flush()
    return [p.id for p in held]


def hold_for_distributor(session: Session, user_id: str, reason: str) -> list[str]:
    """The name the admin response API calls (mlm_app.response.service)."""
    return hold_payouts(session, user_id, reason)


def release_for_distributor(session: Session, user_id: str) -> list[str]:
    """The name the admin response API calls (mlm_app.response.service)."""
    return release_payouts(session, user_id)
