"""Forced-matrix pay at enrollment, from the placement paths (same rules as plans/matrix.py).

A new member pays each placement upline within the matrix depth its level amount, the real sponsor
the direct-sponsor bonus, and any upline whose width x depth matrix this placement completes the
completion bonus. Every credit is a ledger entry and a `commission_calculated` event (`matrix_level`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlm_app.business.commissions.models import LedgerEntry
from mlm_app.business.config import BusinessConfig
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.periods import month_of
from mlm_app.business.plans.common import CommissionLine, totals
from mlm_app.business.plans.matrix import MatrixPlan
from mlm_app.events import emit


def matrix_plan(config: BusinessConfig) -> MatrixPlan:
    return MatrixPlan(width=config.matrix_width, depth=config.matrix_depth,
                      level_amounts=config.matrix_level_amounts, completion_bonus=config.matrix_completion_bonus,
                      sponsor_bonus=config.matrix_sponsor_bonus)


def _depth(path: Any) -> Any:
    """Levels in a stored path ("/A/B/" -> 2), as SQL both SQLite and PostgreSQL run."""
    return func.length(path) - func.length(func.replace(path, "/", "")) - 1


def _filled(session: Session, ancestor_prefix: str, ancestor_depth: int, depth: int) -> int:
    """Positions taken below an upline within `depth` levels of it."""
    col = Distributor.placement_path
    return int(session.scalar(select(func.count()).where(
        col.startswith(ancestor_prefix, autoescape=True), _depth(col) < ancestor_depth + depth)) or 0)


def matrix_lines(session: Session, member: Distributor, plan: MatrixPlan) -> list[CommissionLine]:
    """What `member`'s placement pays, nearest upline first."""
    lines = []
    if plan.sponsor_bonus and member.sponsor_id:
        lines.append(CommissionLine(member.sponsor_id, member.id, "matrix_level", plan.sponsor_bonus, 0, "sponsor"))
    uplines = member.placement_path.strip("/").split("/")[::-1] if member.placement_path != "/" else []
    for level, upline in enumerate(uplines[:plan.depth], start=1):
        if level <= len(plan.level_amounts) and plan.level_amounts[level - 1]:
            lines.append(CommissionLine(upline, member.id, "matrix_level", plan.level_amounts[level - 1], level))
        if plan.completion_bonus:
            prefix = member.placement_path[: member.placement_path.index(f"/{upline}/") + len(upline) + 2]
            if _filled(session, prefix, prefix.count("/") - 1, plan.depth) == plan.capacity:
                lines.append(CommissionLine(upline, member.id, "matrix_level", plan.completion_bonus, level,
                                            "completion"))
    return lines


def credit_matrix_join(session: Session, member: Distributor, *, config: BusinessConfig, now: datetime,
                       events: Any) -> list[CommissionLine]:
    """Write the ledger entries and events of one matrix placement."""
    lines = matrix_lines(session, member, matrix_plan(config))
    for earner, amount in totals(lines).items():
        session.add(LedgerEntry(distributor_id=earner, amount=amount, kind="matrix_level", period=month_of(now),
                                source_ids=member.id, created_at=now))
        emit(events, "mlm.commerce", "commission_calculated", fields={
            "mlm.distributor.id": earner, "mlm.commission.period": month_of(now),
            "mlm.commission.amount": float(amount), "mlm.commission.type": "matrix_level",
            "mlm.commission.source_ids": [member.id]})
    return lines
