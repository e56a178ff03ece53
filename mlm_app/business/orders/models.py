"""Catalog, stock and orders. Stock is decremented by one conditional UPDATE, so it never oversells."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mlm_app.business.types import Cents
from mlm_app.db import Base, UTCDateTime, utcnow


class Product(Base):
    """A sellable product with its price and the volumes (PV for ranks, BV for pay) it carries."""

    __tablename__ = "biz_products"
    __table_args__ = (CheckConstraint("stock >= 0", name="ck_biz_products_stock"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[Decimal] = mapped_column(Cents)
    pv: Mapped[Decimal] = mapped_column(Cents)
    bv: Mapped[Decimal] = mapped_column(Cents)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Order(Base):
    """One order; `period` is the monthly commission period its volume counts in."""

    __tablename__ = "biz_orders"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    distributor_id: Mapped[str] = mapped_column(ForeignKey("biz_distributors.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="placed")  # placed | refunded
    amount: Mapped[Decimal] = mapped_column(Cents)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    pv: Mapped[Decimal] = mapped_column(Cents)
    bv: Mapped[Decimal] = mapped_column(Cents)
    period: Mapped[str] = mapped_column(String(10), index=True)
    payment_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OrderItem(Base):
    __tablename__ = "biz_order_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("biz_orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("biz_products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Cents)
