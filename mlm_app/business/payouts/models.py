"""Payout requests: requested -> approved -> sent, or held / rejected along the way."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mlm_app.business.types import Cents
from mlm_app.db import Base, UTCDateTime, utcnow

PAYOUT_STATES = ("requested", "held", "approved", "sent", "rejected")


class Payout(Base):
    __tablename__ = "biz_payouts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    distributor_id: Mapped[str] = mapped_column(ForeignKey("biz_distributors.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Cents)
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    bank_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hold_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
