"""Paginated views of a distributor's own downline (sponsor tree) and placement children."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlm_app.business.access import authorize
from mlm_app.business.distributors.models import Distributor

PAGE_SIZE = 50


@dataclass(frozen=True)
class DownlineRow:
    """What the genealogy page shows about one member (a view model, not the ORM row)."""

    id: str
    display_name: str
    level: int
    sponsor_id: str | None
    rank: str | None
    enrolled_on: str


@dataclass(frozen=True)
class DownlinePage:
    root_id: str
    rows: list[DownlineRow]
    page: int
    pages: int
    total: int


def downline(session: Session, actor: Any, root_id: str, page: int = 1, size: int = PAGE_SIZE) -> DownlinePage:
    """One page of `root_id`'s sponsor-tree downline, in enrollment order."""
    root = authorize(session, actor, root_id)
    size = max(1, min(size, 200))
    condition = Distributor.sponsor_path.startswith(root.downline_prefix, autoescape=True)
    total = int(session.scalar(select(func.count()).where(condition)) or 0)
    pages = max(1, -(-total // size))
    page = max(1, min(page, pages))
    members = session.scalars(select(Distributor).where(condition).order_by(Distributor.seq)
                              .offset((page - 1) * size).limit(size)).all()
    base = root.downline_prefix.count("/")
    rows = [DownlineRow(m.id, m.display_name, m.sponsor_path.count("/") - base + 1, m.sponsor_id, m.rank,
                        m.enrolled_at.date().isoformat()) for m in members]
    return DownlinePage(root.id, rows, page, pages, total)
