"""The business part of a person's data export and erasure (called by mlm_app.privacy.service).

Erasure keeps money records (ledger, orders, payouts must stay for accounting) under the
pseudonymous id and removes what identifies the person: profile fields, fingerprints, CRM contacts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mlm_app.business.commissions.models import LedgerEntry
from mlm_app.business.crm.models import Contact
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.orders.models import Order
from mlm_app.business.payouts.models import Payout


def export(session: Session, user_id: str) -> dict[str, Any]:
    """Everything the business domains hold about `user_id`, JSON-ready."""
    member = session.get(Distributor, user_id)
    if member is None:
        return {}
    orders = session.scalars(select(Order).where(Order.distributor_id == user_id)).all()
    ledger = session.scalars(select(LedgerEntry).where(LedgerEntry.distributor_id == user_id)).all()
    payouts = session.scalars(select(Payout).where(Payout.distributor_id == user_id)).all()
    contacts = session.scalars(select(Contact).where(Contact.owner_id == user_id)).all()
    return {
        "distributor": {"id": member.id, "sponsor_id": member.sponsor_id, "display_name": member.display_name,
                        "country": member.country, "kyc_status": member.kyc_status, "rank": member.rank,
                        "enrolled_at": member.enrolled_at.isoformat(), "referral_code": member.referral_code},
        "orders": [{"id": o.id, "amount": str(o.amount), "status": o.status, "at": o.created_at.isoformat()}
                   for o in orders],
        "ledger": [{"amount": str(e.amount), "kind": e.kind, "period": e.period} for e in ledger],
        "payouts": [{"id": p.id, "amount": str(p.amount), "status": p.status} for p in payouts],
        "contacts": [{"name": c.name, "email": c.email, "phone": c.phone, "stage": c.stage} for c in contacts],
    }


def erase(session: Session, user_id: str) -> None:
    """Remove identifying business data; money records stay under the pseudonymous id."""
    member = session.get(Distributor, user_id)
    if member is None:
        return
    member.display_name, member.country = "erased", None
    member.email_domain = member.email_fingerprint = member.bank_fingerprint = None
    member.status = "erased"
    session.execute(delete(Contact).where(Contact.owner_id == user_id))
