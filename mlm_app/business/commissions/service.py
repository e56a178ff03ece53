"""Commission runs: load the period into arrays, run the engine, write the ledger, emit the events.

A run is idempotent: re-running a successful period returns it unchanged; a failed run is rolled
back (savepoint) and marked failed, and running it again starts clean.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import BigInteger, bindparam, func, insert, select, type_coerce, update
from sqlalchemy.orm import Session

from mlm_app.business.commissions.models import CommissionRun, LedgerEntry
from mlm_app.business.config import BusinessConfig
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.engine.arrays import Population, to_cents
from mlm_app.business.engine.run import PeriodResult, RunConfig, run_period
from mlm_app.business.errors import Conflict
from mlm_app.business.orders.models import Order
from mlm_app.business.periods import period_range
from mlm_app.business.plans.common import money, percent_of, totals
from mlm_app.business.plans.matching import matching_bonus
from mlm_app.db import Base
from mlm_app.events import emit


class Member(NamedTuple):
    """The few columns a run reads per distributor (plain values: no ORM objects for 100k rows)."""

    id: str
    sponsor_id: str | None
    parent_id: str | None
    position: str | None
    plan: str
    carry_left: int  # cents
    carry_right: int
    first_pair_done: bool
    rank: str | None


def load_population(session: Session, period: str) -> tuple[Population, list[Member]]:
    """Every distributor in enrollment order with the period's PV (placed orders only), as arrays."""
    t = Base.metadata.tables[Distributor.__tablename__]
    raw = [type_coerce(t.c.carry_left, BigInteger), type_coerce(t.c.carry_right, BigInteger)]
    members = [Member(*row) for row in session.execute(
        select(t.c.id, t.c.sponsor_id, t.c.parent_id, t.c.position, t.c.plan, *raw, t.c.first_pair_done, t.c.rank)
        .order_by(t.c.seq)).all()]
    index = {m.id: i for i, m in enumerate(members)}
    start, end = period_range(period)
    pv = np.zeros(len(members), np.int64)
    for distributor_id, volume in session.execute(select(Order.distributor_id, func.sum(Order.pv)).where(
            Order.created_at >= start, Order.created_at < end, Order.status == "placed")
            .group_by(Order.distributor_id)).all():
        pv[index[distributor_id]] = int(Decimal(volume) * 100)
    sponsor = np.array([index.get(m.sponsor_id, -1) if m.sponsor_id else -1 for m in members], np.int64)
    binary = bool(members) and all(m.plan == "binary" for m in members)
    bparent = np.array([index.get(m.parent_id, -1) if m.parent_id else -1 for m in members], np.int64)
    bside = np.array([1 if m.position == "right" else 0 for m in members], np.int8)
    pop = Population([m.id for m in members], sponsor, pv, bparent if binary else None, bside if binary else None)
    return pop, members


def _engine_config(config: BusinessConfig) -> RunConfig:
    return RunConfig(unilevel=config.unilevel, binary=config.binary, binary_active_pv=config.binary_active_pv,
                     ranks=config.ranks)


def _binary_net(config: BusinessConfig, gross: Decimal) -> Decimal:
    plan = config.binary
    return gross - money(percent_of(gross, plan.service_pct)) - money(percent_of(gross, plan.tax_pct))


def _write_ledger(session: Session, run: CommissionRun, result: PeriodResult, config: BusinessConfig,
                  now: datetime) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    sources = result.unilevel_sources()
    for earner, amount in result.unilevel_totals().items():
        rows.append({"distributor_id": earner, "amount": amount, "kind": "unilevel_level", "period": run.period,
                         "run_id": run.id, "source_ids": ",".join(sources.get(earner, [])), "created_at": now})
    rows.extend(_matching_rows(run, result, config, now))
    for earner, gross in result.binary_totals().items():
        rows.append({"distributor_id": earner, "amount": _binary_net(config, gross), "kind": "binary_pairing",
                         "period": run.period, "run_id": run.id, "source_ids": "", "created_at": now})
    if rows:
        session.execute(insert(LedgerEntry), rows)
    return rows


def _matching_rows(run: CommissionRun, result: PeriodResult, config: BusinessConfig,
                   now: datetime) -> list[dict[str, Any]]:
    """Matching bonus on this run's unilevel pay, for qualified sponsors (plans/matching.py)."""
    if not config.matching_generations:
        return []
    pop, ids = result.pop, result.pop.ids
    sponsor_of = {ids[i]: (ids[s] if s >= 0 else None) for i, s in enumerate(pop.sponsor.tolist())}
    index = {m: i for i, m in enumerate(ids)}
    need = to_cents(config.unilevel.qualification_pv)
    lines = matching_bonus(result.unilevel_totals(), sponsor_of, config.matching_generations,
                           lambda m: int(pop.pv[index[m]]) >= need)
    sources: dict[str, list[str]] = {}
    for line in lines:
        sources.setdefault(line.earner, []).append(line.source)
    return [{"distributor_id": earner, "amount": amount, "kind": "matching", "period": run.period,
             "run_id": run.id, "source_ids": ",".join(sources[earner][:50]), "created_at": now}
            for earner, amount in totals(lines).items() if amount > 0]


def _kept_rank(config: BusinessConfig, current: str | None, qualified: str | None) -> str | None:
    """The rank to store: under the "highest" policy a lower qualification never demotes."""
    if config.rank_policy != "highest" or current is None:
        return qualified
    order = [r.name for r in config.ranks]
    if current not in order:  # a rank the plan no longer has: follow the new qualification
        return qualified
    if qualified is None or order.index(qualified) < order.index(current):
        return current
    return qualified


def _update_members(session: Session, members: list[Member], result: PeriodResult,
                    config: BusinessConfig) -> list[tuple[str, str | None, str | None]]:
    """Store binary carry and new ranks (one executemany each); returns every rank change."""
    t = Base.metadata.tables[Distributor.__tablename__]
    carries, ranks, changes = [], [], []
    binary = result.binary
    for i, m in enumerate(members):
        if binary is not None:
            left, right, done = int(binary.carry_left[i]), int(binary.carry_right[i]), bool(binary.first_done[i])
            if (left, right, done) != (m.carry_left, m.carry_right, m.first_pair_done):
                carries.append({"b_id": m.id, "b_left": Decimal(left) / 100, "b_right": Decimal(right) / 100,
                                "b_done": done})
        if result.ranks is not None:
            qualified = result.rank_names[int(result.ranks[i])] if result.ranks[i] >= 0 else None
            rank = _kept_rank(config, m.rank, qualified)
            if rank != m.rank:
                ranks.append({"b_id": m.id, "b_rank": rank})
                changes.append((m.id, m.rank, rank))
    if carries:
        session.execute(update(t).where(t.c.id == bindparam("b_id")).values(
            carry_left=bindparam("b_left"), carry_right=bindparam("b_right"),
            first_pair_done=bindparam("b_done")), carries)
    if ranks:
        session.execute(update(t).where(t.c.id == bindparam("b_id")).values(rank=bindparam("b_rank")), ranks)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Distributor):  # the UPDATEs ran in SQL: reload these on next access
            session.expire(obj)
    return changes


def _compute(session: Session, run: CommissionRun, config: BusinessConfig, now: datetime) -> tuple[list[dict[str, Any]], list[tuple[str, str | None, str | None]]]:
    pop, members = load_population(session, run.period)
    carry_l = np.array([m.carry_left for m in members], np.int64)
    carry_r = np.array([m.carry_right for m in members], np.int64)
    first = np.array([m.first_pair_done for m in members], bool)
    result = run_period(_engine_config(config), pop, carry_l, carry_r, first)
    rows = _write_ledger(session, run, result, config, now)
    changes = _update_members(session, members, result, config)
    run.total = sum((r["amount"] for r in rows), Decimal(0))
    run.earners = len({r["distributor_id"] for r in rows})
    return rows, changes


def _refuse_overlap(session: Session, period: str, start: datetime, end: datetime) -> None:
    """A week and the month it falls in must not both pay the same orders."""
    for other in session.scalars(select(CommissionRun.period).where(
            CommissionRun.status.in_(("success", "processing")), CommissionRun.period != period)).all():
        other_start, other_end = period_range(other)
        if other_start < end and start < other_end:
            raise Conflict(f"{period} overlaps the {other} run, which already paid these orders")


def run_commissions(session: Session, period: str, *, config: BusinessConfig, now: datetime,
                    events: Any) -> CommissionRun:
    """Run (or return the finished run of) `period`; events are emitted only for a fresh success."""
    start, end = period_range(period)  # validates the name
    run = session.scalars(select(CommissionRun).where(CommissionRun.period == period)).first()
    if run is not None and run.status == "success":
        return run
    _refuse_overlap(session, period, start, end)
    if run is not None and run.status == "processing":
        raise Conflict(f"the {period} run is already processing")
    if run is None:
        run = CommissionRun(period=period, status="initialized", started_at=now)
        session.add(run)
        session.flush()
    run.status, run.started_at, run.error = "processing", now, None
    session.flush()
    try:
        with session.begin_nested():
            rows, changes = _compute(session, run, config, now)
    except Exception as exc:  # noqa: BLE001  (recorded on the run; the savepoint dropped every partial write)
        run.status, run.error, run.finished_at = "failed", f"{type(exc).__name__}: {exc}"[:500], now
        session.flush()
        return run
    run.status, run.finished_at = "success", now
    session.flush()
    for row in rows:
        emit(events, "mlm.commerce", "commission_calculated", fields={
            "mlm.distributor.id": row["distributor_id"], "mlm.commission.period": period,
            "mlm.commission.amount": float(row["amount"]), "mlm.commission.type": row["kind"],
            "mlm.commission.source_ids": [s for s in row["source_ids"].split(",") if s][:50]})
    for member_id, previous, current in changes:
        emit(events, "mlm.commerce", "rank_changed", fields={
            "mlm.distributor.id": member_id, "mlm.rank.previous": previous or "none",
            "mlm.rank.current": current or "none"})
    return run


def statement(session: Session, distributor_id: str, period: str) -> dict[str, Decimal]:
    """Totals by kind of one distributor's ledger entries in `period` (caller authorizes first)."""
    rows = session.execute(select(LedgerEntry.kind, func.sum(LedgerEntry.amount)).where(
        LedgerEntry.distributor_id == distributor_id, LedgerEntry.period == period)
        .group_by(LedgerEntry.kind)).all()
    return {kind: total for kind, total in rows}
