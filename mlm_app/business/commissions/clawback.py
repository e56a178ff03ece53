"""What a refund takes back beyond fast start and unilevel (ledger.clawback_order): binary pairing and
the matrix/board bonuses paid when the buyer enrolled.

Binary: for every placement upline the refunded order's volume reached and who was paid pairs in a
run covering the order, the pairs are recomputed on that run period's leg volumes with and without
the order; the difference, net of service fee and tax, becomes a `binary_clawback` entry (never more
than the upline was paid in that run). Volume of the order that sat in carry instead of pairing is
removed from the upline's carry when that run is the latest one (a later run has already moved it).
Known limit: the carry a period started with is not stored, so volume that paired only against
carried-in volume is not recovered; the clawback is a lower bound, never an over-charge.

Enrollment bonuses: matrix level/completion/sponsor bonuses and board cycles are paid when a member
joins; refunding the member's first order (the enrollment pack) inside the guarantee window reverses
every such credit the join caused (`matrix_clawback`, `board_clawback`). Board seats stay as they are.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mlm_app.business.commissions.models import CommissionRun, LedgerEntry
from mlm_app.business.config import BusinessConfig
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.orders.models import Order
from mlm_app.business.periods import period_range
from mlm_app.business.plans.binary import PairingResult, pair_period
from mlm_app.business.plans.common import ZERO, money, percent_of

ENROLLMENT_KINDS = {"matrix_level": "matrix_clawback", "board_cycle": "board_clawback"}


def _leg_volume(session: Session, leg: Distributor | None, start: datetime, end: datetime) -> Decimal:
    """Placed-order PV of a leg's top member and everyone placed below it, within the period."""
    if leg is None:
        return ZERO
    buyers = select(Distributor.id).where(or_(Distributor.id == leg.id, Distributor.placement_path.startswith(
        leg.placement_prefix, autoescape=True)))
    total = session.scalar(select(func.sum(Order.pv)).where(
        Order.distributor_id.in_(buyers), Order.status == "placed", Order.created_at >= start,
        Order.created_at < end))
    return total if total is not None else ZERO


def _legs(session: Session, upline_id: str, start: datetime, end: datetime) -> tuple[Decimal, Decimal]:
    children = {c.position: c for c in session.scalars(select(Distributor).where(
        Distributor.parent_id == upline_id)).all()}
    return _leg_volume(session, children.get("left"), start, end), _leg_volume(session, children.get("right"),
                                                                             start, end)


def _net(config: BusinessConfig, gross: Decimal) -> Decimal:
    plan = config.binary
    return gross - money(percent_of(gross, plan.service_pct)) - money(percent_of(gross, plan.tax_pct))


def _sides(session: Session, member: Distributor) -> list[tuple[str, str]]:
    """(upline id, side of it the member's volume counts on), for every placement upline."""
    path = [p for p in member.placement_path.strip("/").split("/") if p]
    below = [*path[1:], member.id]
    result = []
    for upline, child_id in zip(path, below, strict=True):
        child = session.get(Distributor, child_id)
        if child is not None and child.position in ("left", "right"):
            result.append((upline, child.position))
    return result


def _already_clawed(session: Session, upline_id: str, run_id: int) -> Decimal:
    total = session.scalar(select(func.sum(LedgerEntry.amount)).where(
        LedgerEntry.distributor_id == upline_id, LedgerEntry.run_id == run_id,
        LedgerEntry.kind == "binary_clawback"))
    return -total if total is not None else ZERO


def _latest_run_id(session: Session) -> int | None:
    return session.scalar(select(func.max(CommissionRun.id)).where(CommissionRun.status == "success"))


def clawback_binary(session: Session, order: Order, runs: list[CommissionRun], *, config: BusinessConfig,
                    now: datetime) -> list[LedgerEntry]:
    """Negative entries for the pairs `order` (now refunded) made in the paid `runs`; trims carry."""
    member = session.get(Distributor, order.distributor_id)
    if member is None or member.plan != "binary" or order.pv <= 0:
        return []
    entries, latest = [], _latest_run_id(session)
    for run in runs:
        start, end = period_range(run.period)
        for upline_id, side in _sides(session, member):
            paid = session.scalar(select(func.sum(LedgerEntry.amount)).where(
                LedgerEntry.distributor_id == upline_id, LedgerEntry.run_id == run.id,
                LedgerEntry.kind == "binary_pairing"))
            left, right = _legs(session, upline_id, start, end)
            left, right = (left + order.pv, right) if side == "left" else (left, right + order.pv)
            full = pair_period(config.binary, left, right, first_pair_done=True)
            less = pair_period(config.binary, left - order.pv if side == "left" else left,
                               right - order.pv if side == "right" else right, first_pair_done=True)
            if run.id == latest:
                _trim_carry(session, upline_id, side, full, less)
            if not paid or paid <= 0:
                continue
            share = min(_net(config, full.gross - less.gross), paid - _already_clawed(session, upline_id, run.id))
            if share > 0:
                entries.append(LedgerEntry(distributor_id=upline_id, amount=-share, kind="binary_clawback",
                                           period=run.period, run_id=run.id, order_id=order.id,
                                           source_ids=member.id, created_at=now))
    session.add_all(entries)
    session.flush()
    return entries


def _trim_carry(session: Session, upline_id: str, side: str, full: PairingResult, less: PairingResult) -> None:
    """Remove the order's unpaired volume from the carry the latest run left the upline."""
    upline = session.get(Distributor, upline_id)
    if upline is None:
        return
    attr = "carry_left" if side == "left" else "carry_right"
    carried = money(getattr(full, attr) - getattr(less, attr))
    if carried > 0:
        setattr(upline, attr, max(ZERO, money(getattr(upline, attr) - carried)))


def clawback_enrollment(session: Session, order: Order, *, now: datetime) -> list[LedgerEntry]:
    """Reverse the matrix/board join bonuses of the buyer when `order` is their first order."""
    first = session.scalar(select(Order.id).where(Order.distributor_id == order.distributor_id)
                           .order_by(Order.created_at, Order.id).limit(1))
    if first != order.id:
        return []
    credits = session.scalars(select(LedgerEntry).where(
        LedgerEntry.source_ids == order.distributor_id, LedgerEntry.kind.in_(tuple(ENROLLMENT_KINDS)),
        LedgerEntry.order_id.is_(None), LedgerEntry.run_id.is_(None), LedgerEntry.amount > 0)).all()
    entries = [LedgerEntry(distributor_id=c.distributor_id, amount=-c.amount, kind=ENROLLMENT_KINDS[c.kind],
                           period=c.period, order_id=order.id, source_ids=order.distributor_id, created_at=now)
               for c in credits]
    session.add_all(entries)
    session.flush()
    return entries
