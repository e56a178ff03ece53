"""Catalog search, ordering without overselling, refunds with commission clawback."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from mlm_app.business.access import authorize, is_staff
from mlm_app.business.commissions.ledger import clawback_order, credit_fast_start
from mlm_app.business.config import BusinessConfig
from mlm_app.business.errors import AccessDenied, Conflict, Invalid, NotFound
from mlm_app.business.orders.models import Order, OrderItem, Product
from mlm_app.business.periods import month_of
from mlm_app.events import emit

MAX_LINES, MAX_QTY, MAX_QUERY = 20, 100, 100


@dataclass(frozen=True)
class ProductView:
    """A catalog entry as the shop page shows it."""

    id: int
    sku: str
    name: str
    description: str
    price: Decimal
    pv: Decimal
    in_stock: bool


def search_products(session: Session, query: str | None, limit: int = 50) -> list[ProductView]:
    """Active products whose name, SKU or description contains `query` (bound parameter, escaped)."""
    stmt = select(Product).where(Product.active.is_(True))
    text = (query or "").strip()[:MAX_QUERY]
    if text:
        stmt = stmt.where(or_(Product.name.icontains(text, autoescape=True),
                              Product.sku.icontains(text, autoescape=True),
                              Product.description.icontains(text, autoescape=True)))
    rows = session.scalars(stmt.order_by(Product.name, Product.id).limit(max(1, min(limit, 200)))).all()
    return [ProductView(p.id, p.sku, p.name, p.description, p.price, p.pv, p.stock > 0) for p in rows]


SKU_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def product_by_sku(session: Session, sku: str) -> int:
    """The id of the active product with this SKU (the code feeds and scripts order by)."""
    found = session.scalar(select(Product.id).where(Product.sku == sku, Product.active.is_(True))) \
        if SKU_RE.fullmatch(sku) else None
    if found is None:
        raise Invalid("no such product")
    return int(found)


def _take_stock(session: Session, product_id: int, quantity: int) -> Product:
    """Decrement stock in one conditional UPDATE: the database refuses to go below zero."""
    result = session.execute(
        update(Product).where(Product.id == product_id, Product.active.is_(True), Product.stock >= quantity)
        .values(stock=Product.stock - quantity).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("not enough stock for this order")
    product = session.get(Product, product_id, populate_existing=True)
    assert product is not None
    return product


def _check_lines(lines: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    if not 1 <= len(lines) <= MAX_LINES:
        raise Invalid(f"an order has 1 to {MAX_LINES} lines")
    merged: dict[int, int] = {}
    for product_id, qty in lines:
        if not isinstance(qty, int) or not 1 <= qty <= MAX_QTY:
            raise Invalid(f"quantity must be 1 to {MAX_QTY}")
        if not 0 < int(product_id) < 2**62:  # beyond that SQLite overflows instead of finding nothing
            raise Invalid("no such product")
        merged[int(product_id)] = merged.get(int(product_id), 0) + qty
    return sorted(merged.items())  # a fixed lock order, so two orders cannot deadlock


def place_order(session: Session, actor: Any, lines: Sequence[tuple[int, int]], *, config: BusinessConfig,
                now: datetime, events: Any, payment_fingerprint: str | None = None) -> Order:
    """Buy `lines` of (product id, quantity) for the signed-in distributor; emits order_placed."""
    if is_staff(actor):
        raise Invalid("staff accounts do not place orders")
    member = authorize(session, actor, actor.id, own_only=True)
    order = Order(id="O" + secrets.token_hex(8).upper(), distributor_id=member.id, status="placed",
                  currency=config.currency, period=month_of(now), created_at=now,
                  payment_fingerprint=payment_fingerprint, amount=Decimal(0), pv=Decimal(0), bv=Decimal(0))
    session.add(order)
    items = 0
    for product_id, qty in _check_lines(lines):
        product = _take_stock(session, product_id, qty)
        session.add(OrderItem(order_id=order.id, product_id=product.id, quantity=qty, unit_price=product.price))
        order.amount += product.price * qty
        order.pv += product.pv * qty
        order.bv += product.bv * qty
        items += qty
    session.flush()
    if not member.first_order_done:
        member.first_order_done = True
        credit_fast_start(session, member, order, config=config, now=now, events=events)
    emit(events, "mlm.commerce", "order_placed", fields={
        "mlm.distributor.id": member.id, "mlm.order.id": order.id, "mlm.order.amount": float(order.amount),
        "mlm.order.currency": order.currency, "mlm.order.pv": float(order.pv), "mlm.order.bv": float(order.bv),
        "mlm.order.items": items, "mlm.payment.fingerprint": payment_fingerprint})
    return order


def get_order(session: Session, actor: Any, order_id: str) -> Order:
    """An order the actor may see (their own or their downline's)."""
    order = session.get(Order, order_id) if isinstance(order_id, str) and len(order_id) <= 40 else None
    if order is None:
        raise NotFound("no such order")
    try:
        authorize(session, actor, order.distributor_id)
    except AccessDenied:
        raise AccessDenied(order.distributor_id, f"order {order_id[:40]} is not yours") from None
    return order


def list_orders(session: Session, actor: Any, distributor_id: str, limit: int = 100) -> list[Order]:
    authorize(session, actor, distributor_id)
    return list(session.scalars(select(Order).where(Order.distributor_id == distributor_id)
                                .order_by(Order.created_at.desc()).limit(limit)).all())


def refund_order(session: Session, actor: Any, order_id: str, *, config: BusinessConfig, now: datetime,
                 events: Any) -> Order:
    """Refund within the guarantee window: restock, and claw back every commission the order paid."""
    order = get_order(session, actor, order_id)
    if not is_staff(actor) and order.distributor_id != actor.id:
        raise AccessDenied(order.distributor_id, "only the buyer or staff may refund")
    if order.status != "placed":
        raise Conflict("this order was already refunded")
    if now - order.created_at > timedelta(days=config.refund_window_days):
        raise Conflict(f"the {config.refund_window_days}-day guarantee window is over")
    for item in session.scalars(select(OrderItem).where(OrderItem.order_id == order.id)).all():
        session.execute(update(Product).where(Product.id == item.product_id)
                        .values(stock=Product.stock + item.quantity).execution_options(synchronize_session=False))
        cached = session.identity_map.get(session.identity_key(Product, item.product_id))  # type: ignore[arg-type]
        if cached is not None:
            session.expire(cached)  # the UPDATE ran in SQL; reload the count on next access
    order.status, order.refunded_at = "refunded", now
    session.flush()
    clawback_order(session, order, config=config, now=now)
    emit(events, "mlm.commerce", "order_refunded", fields={
        "mlm.distributor.id": order.distributor_id, "mlm.order.id": order.id,
        "mlm.order.amount": float(order.amount), "mlm.order.currency": order.currency})
    return order
