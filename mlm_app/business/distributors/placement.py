"""Where a new member lands in the placement tree, computed with indexed queries (no full tree load).

The rules are those of the pure plans (plans/binary_tree.py, plans/matrix.py); this module only
answers them from the database: binary outer-leg and weaker-leg spillover, and breadth-first
left-to-right filling for matrix (width N) and board (width 2) trees. Unilevel places under the sponsor.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlm_app.business.distributors.models import Distributor
from mlm_app.business.errors import Invalid


def _child(session: Session, parent_id: str, position: str) -> Distributor | None:
    return session.scalars(select(Distributor).where(
        Distributor.parent_id == parent_id, Distributor.position == position)).first()


def _leg_size(session: Session, child: Distributor | None) -> int:
    if child is None:
        return 0
    below = session.scalar(select(func.count()).where(Distributor.placement_path.startswith(child.placement_prefix, autoescape=True)))
    return 1 + int(below or 0)


def binary_slot(session: Session, sponsor: Distributor, mode: str) -> tuple[str, str]:
    """(parent id, side) for outer_left / outer_right / weaker_leg spillover under `sponsor`."""
    if mode == "weaker_leg":
        left = _leg_size(session, _child(session, sponsor.id, "left"))
        right = _leg_size(session, _child(session, sponsor.id, "right"))
        side = "right" if right < left else "left"
    elif mode in ("outer_left", "outer_right"):
        side = mode.removeprefix("outer_")
    else:
        raise Invalid(f"unknown placement mode {mode}")
    current = sponsor.id
    while (child := _child(session, current, side)) is not None:
        current = child.id
    return current, side


def breadth_first_slot(session: Session, sponsor: Distributor, width: int) -> tuple[str, str]:
    """(parent id, index) of the first open slot under `sponsor`, level by level, left to right."""
    level = [sponsor.id]
    while level:
        rows = session.execute(select(Distributor.parent_id, Distributor.id, Distributor.position)
                               .where(Distributor.parent_id.in_(level))).all()
        kids: dict[str, list[tuple[int, str]]] = {p: [] for p in level}
        for parent, child, pos in rows:
            kids[str(parent)].append((int(pos or 0), child))
        for parent in level:
            if len(kids[parent]) < width:
                taken = {pos for pos, _ in kids[parent]}
                return parent, str(next(i for i in range(width) if i not in taken))
        level = [child for parent in level for _, child in sorted(kids[parent])]
    raise Invalid("no open position")  # unreachable: the last level always has room


def place(session: Session, sponsor: Distributor, plan: str, mode: str, width: int) -> tuple[str, str]:
    """(parent id, position) for a recruit of `sponsor` under the company's plan."""
    if plan == "binary":
        return binary_slot(session, sponsor, mode)
    if plan == "matrix":
        return breadth_first_slot(session, sponsor, width)
    if plan == "board":
        return breadth_first_slot(session, sponsor, 2)
    count = session.scalar(select(func.count()).where(Distributor.parent_id == sponsor.id))
    return sponsor.id, str(int(count or 0))
