"""Seed a business: a catalog, N distributors in both trees and a month of orders, in bulk.

Placement runs in memory with the pure plan rules (plans/matrix.py breadth-first spillover) and rows
go in with bulk Core INSERTs, so tens of thousands of distributors take seconds, not the minutes that
one enrollment transaction each would.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from mlm_app.accounts.models import User
from mlm_app.business.config import BusinessConfig
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.errors import Conflict
from mlm_app.business.orders.models import Order, Product
from mlm_app.business.periods import month_of
from mlm_app.business.plans.matrix import ForcedMatrix, MatrixPlan
from mlm_app.db import Base

CATALOG = [("TEA", "Vital Green Tea", "30.00", "25"), ("OMEGA", "Omega 3 Capsules", "45.00", "40"),
           ("SHAKE", "Protein Shake Pack", "89.00", "100"), ("SKIN", "Night Repair Cream", "60.00", "50"),
           ("STARTER", "Business Starter Kit", "199.00", "200")]
DOMAINS = ("example.org", "example.com", "mail.example", "post.example")


@dataclass(frozen=True)
class SeedResult:
    distributors: int
    orders: int
    products: int


def _placer(config: BusinessConfig, root: str) -> Any:
    """A function (member, sponsor) -> (parent, position) following the company's plan."""
    if config.plan in ("binary", "matrix", "board"):
        # Binary seeds use breadth-first spillover (left slot first): outer-leg chains would make
        # a 100k tree thousands of levels deep, which no real business looks like.
        width = config.matrix_width if config.plan == "matrix" else 2
        matrix = ForcedMatrix(MatrixPlan(width=width, depth=1), root)
        binary = config.plan == "binary"

        def breadth_first(member: str, sponsor: str) -> tuple[str, str]:
            parent, index, _ = matrix.join(member, sponsor)
            return parent, ("left", "right")[index] if binary else str(index)

        return breadth_first
    counts: dict[str, int] = {}

    def under_sponsor(member: str, sponsor: str) -> tuple[str, str]:
        counts[sponsor] = counts.get(sponsor, 0) + 1
        return sponsor, str(counts[sponsor] - 1)

    return under_sponsor


def _catalog(session: Session) -> list[Product]:
    existing = list(session.scalars(select(Product)).all())
    if existing:
        return existing
    products = [Product(sku=sku, name=name, description=f"{name} from the seed catalog", price=Decimal(price),
                        pv=Decimal(pv), bv=Decimal(pv), stock=100_000, active=True) for sku, name, price, pv in CATALOG]
    session.add_all(products)
    session.flush()
    return products


def seed(session: Session, n: int, *, config: BusinessConfig, now: datetime, password_hash: str,
         fingerprint: Any, seed_value: int = 1) -> SeedResult:
    """Add `n` distributors (and their users and orders) to an empty business."""
    if session.scalar(select(func.count()).select_from(Distributor)):
        raise Conflict("the business already has distributors; seed only an empty database")
    rng = random.Random(seed_value)
    products = _catalog(session)
    ids = [f"D{i:06d}" for i in range(1, n + 1)]
    place = _placer(config, ids[0])
    users, members, orders = [], [], []
    sponsor_path: dict[str, str] = {ids[0]: "/"}
    placement_path: dict[str, str] = {ids[0]: "/"}
    for i, member in enumerate(ids):
        # Uniform over everyone earlier: a random recursive tree, ~e*ln(n) levels deep like real ones.
        sponsor = ids[rng.randrange(i)] if i else None
        parent, position = place(member, sponsor) if sponsor else (None, None)
        if sponsor and parent:
            sponsor_path[member] = f"{sponsor_path[sponsor]}{sponsor}/"
            placement_path[member] = f"{placement_path[parent]}{parent}/"
        domain = rng.choice(DOMAINS)
        enrolled = now - timedelta(days=rng.randrange(1, 365))
        users.append({"id": member, "username": f"dist{i + 1:06d}", "email": f"dist{i + 1:06d}@{domain}",
                          "password_hash": password_hash, "role": "distributor", "status": "active", "created_at": enrolled,
                          "failed_logins": 0, "mfa_enabled": False, "must_reset_password": False,
                          "must_reenrol_mfa": False, "payouts_held": False})
        members.append({"id": member, "seq": i + 1, "sponsor_id": sponsor, "sponsor_path": sponsor_path[member],
                            "parent_id": parent, "position": position, "placement_path": placement_path[member],
                            "plan": config.plan, "referral_code": secrets.token_hex(5).upper(),
                            "display_name": f"Distributor {i + 1}", "status": "active",
                            "kyc_status": rng.choice(("verified", "verified", "pending", "none")),
                            "terms_version": config.terms_version, "terms_accepted_at": enrolled, "enrolled_at": enrolled,
                            "email_domain": domain, "email_fingerprint": fingerprint(f"dist{i + 1:06d}@{domain}", "email"),
                            "carry_left": Decimal(0), "carry_right": Decimal(0), "first_pair_done": False,
                            "first_order_done": True})
        if rng.random() < 0.7:
            product = rng.choice(products)
            qty = rng.randint(1, 3)
            orders.append({"id": f"O{seed_value:02d}{i + 1:010d}", "distributor_id": member, "status": "placed",
                               "amount": product.price * qty, "currency": config.currency, "pv": product.pv * qty,
                               "bv": product.bv * qty, "period": month_of(now), "created_at": now - timedelta(hours=rng.randrange(1, 72))})
    for table, rows in ((User, users), (Distributor, members), (Order, orders)):
        for start in range(0, len(rows), 5_000):
            core_table = Base.metadata.tables[table.__tablename__]
            session.execute(insert(core_table), rows[start:start + 5_000])  # Core: no ORM bookkeeping
    return SeedResult(n, len(orders), len(products))
