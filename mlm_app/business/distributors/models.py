"""Distributors: sponsor (enroller) tree and placement tree, profile, KYC, terms, binary carry."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import mlm_app.accounts.models  # noqa: F401  (registers app_users, the target of the id foreign key)
from mlm_app.business.types import Cents
from mlm_app.db import Base, UTCDateTime, utcnow

KYC_STATES = ("none", "pending", "verified", "rejected")
PLANS = ("binary", "matrix", "unilevel", "board")


class Distributor(Base):
    """One distributor; `id` equals the login account's user id (e.g. D000123).

    `sponsor_path` / `placement_path` list every ancestor id ("/D000001/D000004/"), so "is X in Y's
    downline" is one indexed prefix comparison instead of a recursive walk.
    """

    __tablename__ = "biz_distributors"
    __table_args__ = (UniqueConstraint("parent_id", "position", name="uq_biz_placement_slot"),)

    id: Mapped[str] = mapped_column(String(32), ForeignKey("app_users.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    sponsor_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("biz_distributors.id"), index=True)
    sponsor_path: Mapped[str] = mapped_column(Text, index=True, default="/")
    parent_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("biz_distributors.id"), index=True)
    position: Mapped[str | None] = mapped_column(String(8), nullable=True)
    placement_path: Mapped[str] = mapped_column(Text, index=True, default="/")
    plan: Mapped[str] = mapped_column(String(16), default="binary")
    referral_code: Mapped[str] = mapped_column(String(24), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    kyc_status: Mapped[str] = mapped_column(String(16), default="none")
    terms_version: Mapped[str | None] = mapped_column(String(16), nullable=True)
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rank: Mapped[str | None] = mapped_column(String(32), nullable=True)
    email_domain: Mapped[str | None] = mapped_column(String(254), nullable=True)
    email_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    bank_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    bank_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    carry_left: Mapped[Decimal] = mapped_column(Cents, default=Decimal(0))
    carry_right: Mapped[Decimal] = mapped_column(Cents, default=Decimal(0))
    first_pair_done: Mapped[bool] = mapped_column(Boolean, default=False)
    first_order_done: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def downline_prefix(self) -> str:
        """The path prefix every sponsor-tree descendant's `sponsor_path` starts with."""
        return f"{self.sponsor_path}{self.id}/"

    @property
    def placement_prefix(self) -> str:
        return f"{self.placement_path}{self.id}/"
