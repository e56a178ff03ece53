"""The wallet ledger: credits from orders (fast start), clawbacks on refunds, balances, statements."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlm_app.business.commissions.clawback import clawback_binary, clawback_enrollment
from mlm_app.business.commissions.models import CommissionRun, LedgerEntry
from mlm_app.business.config import BusinessConfig
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.orders.models import Order
from mlm_app.business.periods import month_of, period_range, week_of
from mlm_app.business.plans.common import ZERO, money, totals
from mlm_app.business.plans.fast_start import fast_start_bonus
from mlm_app.business.plans.unilevel import unilevel_commissions
from mlm_app.events import emit


def balance(session: Session, distributor_id: str) -> Decimal:
    """The wallet balance: the sum of every signed entry."""
    total = session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.distributor_id == distributor_id))
    return total if total is not None else money(0)


def entries(session: Session, distributor_id: str, period: str | None = None, limit: int = 200) -> list[LedgerEntry]:
    stmt = select(LedgerEntry).where(LedgerEntry.distributor_id == distributor_id)
    if period:
        stmt = stmt.where(LedgerEntry.period == period)
    return list(session.scalars(stmt.order_by(LedgerEntry.id.desc()).limit(limit)).all())


def _sponsor_chain(session: Session, member: Distributor, depth: int) -> dict[str, str | None]:
    chain: dict[str, str | None] = {}
    current: Distributor | None = member
    while current is not None and len(chain) <= depth:
        chain[current.id] = current.sponsor_id
        current = session.get(Distributor, current.sponsor_id) if current.sponsor_id else None
    return chain


def _period_pv(session: Session, ids: list[str], start: datetime, end: datetime) -> dict[str, Decimal]:
    rows = session.execute(select(Order.distributor_id, func.sum(Order.pv)).where(
        Order.distributor_id.in_(ids), Order.created_at >= start, Order.created_at < end,
        Order.status == "placed").group_by(Order.distributor_id)).all()
    return {d: v for d, v in rows if v is not None}  # func.sum keeps the Cents type: Decimal back


def credit_fast_start(session: Session, member: Distributor, order: Order, *, config: BusinessConfig,
                      now: datetime, events: Any) -> None:
    """Pay the enrollers above a new member on their first order (no compression)."""
    chain = _sponsor_chain(session, member, len(config.fast_start_levels))
    uplines = [i for i in chain if i != member.id]
    start, end = period_range(month_of(now))
    pv = _period_pv(session, uplines, start, end)

    def qualified(distributor_id: str) -> bool:
        return pv.get(distributor_id, ZERO) >= config.fast_start_qualification_pv

    lines = fast_start_bonus(member.id, order.bv, chain, config.fast_start_levels, qualified)
    for earner, amount in totals(lines).items():
        session.add(LedgerEntry(distributor_id=earner, amount=amount, kind="fast_start", period=month_of(now),
                                order_id=order.id, source_ids=member.id, created_at=now))
        emit(events, "mlm.commerce", "commission_calculated", fields={
            "mlm.distributor.id": earner, "mlm.commission.period": month_of(now),
            "mlm.commission.amount": float(amount), "mlm.commission.type": "fast_start",
            "mlm.commission.source_ids": [member.id]})


def _paid_run_periods(session: Session, moment: datetime) -> list[CommissionRun]:
    periods = [month_of(moment), week_of(moment)]
    return list(session.scalars(select(CommissionRun).where(
        CommissionRun.period.in_(periods), CommissionRun.status == "success")).all())


def clawback_order(session: Session, order: Order, *, config: BusinessConfig, now: datetime) -> list[LedgerEntry]:
    """Negative entries reversing what `order` paid: its fast start, its unilevel and binary share of paid
    runs, and (for a first order) the matrix/board bonuses the buyer's enrollment paid (clawback.py)."""
    reversed_entries = []
    for entry in session.scalars(select(LedgerEntry).where(LedgerEntry.order_id == order.id,
                                                           LedgerEntry.amount > 0)).all():
        reversed_entries.append(LedgerEntry(distributor_id=entry.distributor_id, amount=-entry.amount,
                                            kind="clawback", period=entry.period, order_id=order.id,
                                            source_ids=entry.source_ids, created_at=now))
    member = session.get(Distributor, order.distributor_id)
    assert member is not None
    runs = _paid_run_periods(session, order.created_at)
    for run in runs:
        chain = _sponsor_chain(session, member, 10 * len(config.unilevel.levels))
        start, end = period_range(run.period)
        pv = _period_pv(session, list(chain), start, end)  # the order is refunded now: add it back
        pv[member.id] = pv.get(member.id, ZERO) + order.pv
        full = totals(unilevel_commissions(config.unilevel, chain, pv))
        pv[member.id] -= order.pv
        without = totals(unilevel_commissions(config.unilevel, chain, pv))
        for earner, amount in full.items():
            share = money(amount - without.get(earner, ZERO))
            if share > 0:
                reversed_entries.append(LedgerEntry(distributor_id=earner, amount=-share, kind="clawback",
                                                    period=run.period, run_id=run.id, order_id=order.id,
                                                    source_ids=member.id, created_at=now))
    session.add_all(reversed_entries)
    session.flush()
    reversed_entries += clawback_binary(session, order, runs, config=config, now=now)
    return reversed_entries + clawback_enrollment(session, order, now=now)
