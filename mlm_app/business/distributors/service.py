"""Enrollment and distributor records: referral codes, both trees, profile, KYC, terms, bank changes."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlm_app.accounts.service import AccountError, create_account
from mlm_app.business.access import authorize, require_staff
from mlm_app.business.commissions.board_pay import credit_board_join
from mlm_app.business.commissions.matrix_pay import credit_matrix_join
from mlm_app.business.config import BusinessConfig
from mlm_app.business.distributors.models import KYC_STATES, Distributor
from mlm_app.business.distributors.placement import place
from mlm_app.business.errors import Invalid, NotFound
from mlm_app.events import emit
from mlm_app.profile.service import PIIError, set_bank_account

Fingerprint = Callable[[str, str], str]  # (value, kind) -> keyed hash
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@([A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+)$")
CODE_RE = re.compile(r"^[A-Za-z0-9]{4,24}$")
BANK_RE = re.compile(r"^[A-Za-z0-9 -]{6,40}$")


@dataclass(frozen=True)
class Enrollment:
    """What the enrollment form collected; the password only passes through to the account."""

    sponsor_code: str
    username: str
    password: str
    email: str
    display_name: str = ""
    country: str | None = None
    bank_account: str | None = None
    accept_terms: bool = False


def new_referral_code() -> str:
    return secrets.token_hex(5).upper()


def next_id(session: Session) -> tuple[int, str]:
    """The next distributor sequence number and id (D000123)."""
    seq = int(session.scalar(select(func.max(Distributor.seq))) or 0) + 1
    return seq, f"D{seq:06d}"


def by_code(session: Session, code: str) -> Distributor | None:
    if not isinstance(code, str) or not CODE_RE.match(code):
        return None
    return session.scalars(select(Distributor).where(Distributor.referral_code == code.upper())).first()


def _validate(form: Enrollment) -> str:
    if not form.accept_terms:
        raise Invalid("you must accept the terms to enroll")
    match = EMAIL_RE.match(form.email or "")
    if not match:
        raise Invalid("enter a valid email address")
    if form.bank_account and not BANK_RE.match(form.bank_account):
        raise Invalid("bank account must be 6-40 letters, digits, spaces or dashes")
    if form.country and not re.fullmatch(r"[A-Za-z]{2}", form.country):
        raise Invalid("country must be a two-letter code")
    return match.group(1).lower()


def enroll(session: Session, form: Enrollment, *, config: BusinessConfig, fingerprint: Fingerprint,
           now: datetime, events: Any, keys: Any = None, password_hash: str | None = None) -> Distributor:
    """Create the account and the distributor under the sponsor of `form.sponsor_code`; emit the event.

    `password_hash` lets bulk seeding reuse one precomputed hash instead of hashing every password."""
    domain = _validate(form)
    sponsor = by_code(session, form.sponsor_code)
    if sponsor is None or sponsor.status != "active":
        raise Invalid("unknown or inactive referral code")
    seq, member_id = next_id(session)
    try:
        user = create_account(session, form.username, form.password, "distributor", member_id,
                              email=form.email, password_hash=password_hash)
    except (AccountError, ValueError) as exc:
        raise Invalid(str(exc)) from None
    parent_id, position = place(session, sponsor, config.plan, config.placement_mode, config.matrix_width)
    parent = session.get(Distributor, parent_id)
    assert parent is not None
    member = Distributor(
        id=member_id, seq=seq, sponsor_id=sponsor.id, sponsor_path=sponsor.downline_prefix,
        parent_id=parent_id, position=position, placement_path=parent.placement_prefix, plan=config.plan,
        referral_code=new_referral_code(), display_name=(form.display_name or form.username)[:100],
        country=(form.country or "").upper() or None, terms_version=config.terms_version,
        terms_accepted_at=now, enrolled_at=now, email_domain=domain,
        email_fingerprint=fingerprint(form.email.strip().lower(), "email"))
    if form.bank_account:
        member.bank_fingerprint = fingerprint(form.bank_account, "bank")
        user.bank_fingerprint = member.bank_fingerprint
        if keys is not None:  # the accounts domain stores it encrypted, the way its profile page reads it
            try:
                set_bank_account(user, form.bank_account, keys, now)
            except PIIError as exc:
                raise Invalid(str(exc)) from None
            user.bank_changed_at = None  # the first account is not a change: no payout cool-off
    session.add(member)
    session.flush()
    if config.plan == "matrix":
        credit_matrix_join(session, member, config=config, now=now, events=events)
    elif config.plan == "board":
        credit_board_join(session, member, config=config, now=now, events=events)
    emit(events, "mlm.commerce", "distributor_enrolled", fields={
        "user.id": member_id, "user.name": user.username, "mlm.distributor.id": member_id,
        "mlm.sponsor.id": sponsor.id, "mlm.placement.parent_id": parent_id, "mlm.placement.position": position,
        "mlm.plan": config.plan, "mlm.email.domain": domain, "mlm.email.fingerprint": member.email_fingerprint,
        "mlm.bank.fingerprint": member.bank_fingerprint})
    return member


def create_root(session: Session, user_id: str, *, config: BusinessConfig, now: datetime,
                seq: int = 1) -> Distributor:
    """The company's first distributor (top of both trees) for an existing account."""
    root = Distributor(id=user_id, seq=seq, sponsor_path="/", placement_path="/", plan=config.plan,
                       referral_code=new_referral_code(), display_name=user_id, enrolled_at=now,
                       terms_version=config.terms_version, terms_accepted_at=now)
    session.add(root)
    session.flush()
    return root


def get_profile(session: Session, actor: Any, distributor_id: str) -> Distributor:
    """A distributor's record, if the actor may see it."""
    return authorize(session, actor, distributor_id)


def update_profile(session: Session, actor: Any, display_name: str, country: str | None) -> Distributor:
    """The signed-in distributor edits their own display name and country."""
    me = authorize(session, actor, actor.id, own_only=True)
    if not display_name.strip() or len(display_name) > 100:
        raise Invalid("display name must be 1-100 characters")
    if country and not re.fullmatch(r"[A-Za-z]{2}", country):
        raise Invalid("country must be a two-letter code")
    me.display_name, me.country = display_name.strip(), (country or "").upper() or None
    return me


def submit_kyc(session: Session, actor: Any) -> Distributor:
    """The distributor sends their documents for review: status becomes pending (staff decide)."""
    me = authorize(session, actor, actor.id, own_only=True)
    if me.kyc_status in ("none", "rejected"):
        me.kyc_status = "pending"
    return me


def set_kyc(session: Session, actor: Any, distributor_id: str, status: str) -> Distributor:
    """Staff record the outcome of identity verification."""
    require_staff(actor)
    if status not in KYC_STATES:
        raise Invalid(f"KYC status must be one of {', '.join(KYC_STATES)}")
    member = authorize(session, actor, distributor_id)
    member.kyc_status = status
    return member


def record_bank_change(session: Session, distributor_id: str, fingerprint: str, now: datetime) -> None:
    """Note a new bank account (fingerprint only); payouts wait out the cool-off from `now`."""
    member = session.get(Distributor, distributor_id)
    if member is None:
        raise NotFound("no such distributor")
    if member.bank_fingerprint != fingerprint:
        member.bank_fingerprint, member.bank_changed_at = fingerprint, now
