"""Figures for the staff report page, as one view model."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlm_app.business.commissions.models import LedgerEntry
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.orders.models import Order
from mlm_app.business.payouts.models import Payout


@dataclass(frozen=True)
class Report:
    members: int
    kyc_pending: int
    sales: list[tuple[str, int, Decimal, Decimal]]  # period, orders, amount, pv
    top_earners: list[tuple[str, Decimal]]
    open_payouts: list[tuple[str, int, Decimal]]  # status, count, amount


def build(session: Session) -> Report:
    """Counts and sums over the whole business (staff only; the router checks the role)."""
    members = int(session.scalar(select(func.count()).select_from(Distributor)) or 0)
    pending = int(session.scalar(select(func.count()).where(Distributor.kyc_status == "pending")) or 0)
    sales = session.execute(select(Order.period, func.count(), func.sum(Order.amount), func.sum(Order.pv))
                            .where(Order.status == "placed").group_by(Order.period)
                            .order_by(Order.period.desc()).limit(12)).all()
    earned = func.sum(LedgerEntry.amount)
    top = session.execute(select(LedgerEntry.distributor_id, earned).where(LedgerEntry.run_id.isnot(None))
                          .group_by(LedgerEntry.distributor_id).order_by(earned.desc()).limit(10)).all()
    payouts = session.execute(select(Payout.status, func.count(), func.sum(Payout.amount))
                              .group_by(Payout.status)).all()
    return Report(members, pending, [tuple(r) for r in sales], [tuple(r) for r in top],  # type: ignore[misc]
                  [tuple(r) for r in payouts])  # type: ignore[misc]
