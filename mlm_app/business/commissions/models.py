"""Commission runs and the wallet ledger (every credit, clawback and payout is one signed entry)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mlm_app.business.types import Cents
from mlm_app.db import Base, UTCDateTime, utcnow

RUN_STATES = ("initialized", "processing", "success", "failed")


class CommissionRun(Base):
    """One run per period; re-running a successful period is a no-op, a failed one starts clean."""

    __tablename__ = "biz_commission_runs"
    __table_args__ = (UniqueConstraint("period", name="uq_biz_run_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16), default="initialized")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    total: Mapped[Decimal] = mapped_column(Cents, default=Decimal(0))
    earners: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class BoardRow(Base):
    """One open revolving board: its heap-ordered seats as JSON (plans/board.py holds the rules)."""

    __tablename__ = "biz_boards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slots: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerEntry(Base):
    """A signed wallet movement; the balance is the sum of a distributor's entries."""

    __tablename__ = "biz_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    distributor_id: Mapped[str] = mapped_column(ForeignKey("biz_distributors.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Cents)
    kind: Mapped[str] = mapped_column(String(24))  # commission type, clawback, payout, payout_reversal
    period: Mapped[str | None] = mapped_column(String(10), index=True, nullable=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("biz_commission_runs.id"), index=True, nullable=True)
    order_id: Mapped[str | None] = mapped_column(String(40), index=True, nullable=True)
    payout_id: Mapped[str | None] = mapped_column(String(40), index=True, nullable=True)
    source_ids: Mapped[str] = mapped_column(Text, default="")  # comma-separated, at most 50
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
