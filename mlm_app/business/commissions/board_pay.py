"""Revolving boards at enrollment: load the open boards, seat the member, store the result, pay cycles.

The rules live in plans/board.py; this module only persists `BoardSystem` state (one row per open
board, seats as JSON) and turns each cycle into a `board_cycle` ledger entry and event.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlm_app.business.commissions.models import BoardRow, LedgerEntry
from mlm_app.business.config import BusinessConfig
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.periods import month_of
from mlm_app.business.plans.board import Board, BoardPlan, BoardSystem
from mlm_app.business.plans.common import CommissionLine
from mlm_app.events import emit


def load_boards(session: Session, config: BusinessConfig) -> BoardSystem:
    """The open boards in creation order (locked for update on PostgreSQL: one seat at a time)."""
    plan = BoardPlan(levels=config.board_levels, cycle_bonus=config.board_cycle_bonus, reentry=config.board_reentry)
    rows = session.scalars(select(BoardRow).where(BoardRow.active.is_(True)).order_by(BoardRow.id)
                           .with_for_update()).all()
    last = int(session.scalar(select(func.max(BoardRow.id))) or 0)
    boards = [Board(row.id, json.loads(row.slots)) for row in rows]
    return BoardSystem(plan, boards, itertools.count(last + 1))


def save_boards(session: Session, system: BoardSystem, now: datetime) -> None:
    """Close boards that cycled away, store the seats of every open one."""
    open_ids = {b.id for b in system.boards}
    for row in session.scalars(select(BoardRow).where(BoardRow.active.is_(True))).all():
        if row.id not in open_ids:
            row.active, row.updated_at = False, now
    for board in system.boards:
        stored = session.get(BoardRow, board.id)
        if stored is None:
            session.add(BoardRow(id=board.id, slots=json.dumps(board.slots), active=True, updated_at=now))
        elif json.loads(stored.slots) != board.slots:
            stored.slots, stored.updated_at = json.dumps(board.slots), now
    session.flush()


def credit_board_join(session: Session, member: Distributor, *, config: BusinessConfig, now: datetime,
                      events: Any) -> list[CommissionLine]:
    """Seat `member` (on the sponsor's board when it has room) and pay every cycle it causes."""
    system = load_boards(session, config)
    if not system.boards:
        first = session.scalars(select(Distributor.id).order_by(Distributor.seq).limit(1)).one()
        system.start(first)
    lines = system.join(member.id, member.sponsor_id)
    save_boards(session, system, now)
    for line in lines:
        session.add(LedgerEntry(distributor_id=line.earner, amount=line.amount, kind="board_cycle",
                                period=month_of(now), source_ids=line.source, created_at=now))
        emit(events, "mlm.commerce", "commission_calculated", fields={
            "mlm.distributor.id": line.earner, "mlm.commission.period": month_of(now),
            "mlm.commission.amount": float(line.amount), "mlm.commission.type": "board_cycle",
            "mlm.commission.source_ids": [line.source]})
    return lines
