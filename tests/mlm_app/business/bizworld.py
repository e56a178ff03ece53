"""Builders of the business tests: a fresh database, an event recorder, a company with a downline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from mlm_app.accounts.service import create_account
from mlm_app.business.config import BusinessConfig
from mlm_app.business.distributors.service import Enrollment, create_root, enroll
from mlm_app.business.orders.models import Product
from mlm_app.db import init_db, make_engine, session_factory
from mlm_app.events import Emitter
from mlm_app.security.crypto import KeyRing

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$0Zq1x4k9m1cWb1U0a0m2zQ"  # never verified in these tests


@dataclass
class World:
    """Database, events and helpers shared by a test."""

    factory: Any
    keys: KeyRing
    config: BusinessConfig
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def emitter(self) -> Emitter:
        return Emitter([self.events.append], clock=lambda: NOW)

    def fingerprint(self, value: str, kind: str) -> str:
        return self.keys.fingerprint(value, kind)

    def actions(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"]["action"] == name]

    def root(self, session, user_id: str = "D000001"):
        create_account(session, "company", None, "distributor", user_id, password_hash=HASH)
        return create_root(session, user_id, config=self.config, now=NOW)

    def join(self, session, sponsor, name: str, bank: str | None = None, when: datetime = NOW):
        form = Enrollment(sponsor.referral_code, name, "unused-password", f"{name}@example.org",
                          bank_account=bank, accept_terms=True)
        return enroll(session, form, config=self.config, fingerprint=self.fingerprint, now=when,
                      events=self.emitter, password_hash=HASH)

    def staff(self, session, user_id: str = "S0001", role: str = "finance"):
        return create_account(session, f"staff{user_id}", None, role, user_id, password_hash=HASH)

    def product(self, session, stock: int = 100, price: str = "50.00", pv: str = "100", name: str = "Vital Tea"):
        product = Product(sku=f"SKU{name[:6].upper()}{stock}", name=name, description=f"{name} from our range", price=Decimal(price),
                          pv=Decimal(pv), bv=Decimal(pv), stock=stock, active=True)
        session.add(product)
        session.flush()
        return product


def make_world(url: str, tmp_path, config: BusinessConfig | None = None) -> World:
    engine = make_engine(url)
    init_db(engine)
    return World(session_factory(engine), KeyRing.load(tmp_path / "keys.json"), config or BusinessConfig())
