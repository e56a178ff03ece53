"""Builders for the business HTTP tests: a small company inside the real app, payout-ready members."""

from datetime import timedelta
from decimal import Decimal as D

from bizworld import NOW
from mlmapp_helpers import PASSWORD

from mlm_app.accounts.models import User
from mlm_app.accounts.service import create_account
from mlm_app.business.commissions.models import LedgerEntry
from mlm_app.business.config import BusinessConfig
from mlm_app.business.crm.service import add_contact
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.distributors.service import Enrollment, create_root, enroll
from mlm_app.business.orders.models import Product
from mlm_app.business.orders.service import place_order
from mlm_app.business.payouts.models import Payout
from mlm_app.db import transaction
from mlm_app.security.passwords import hash_password

CONFIG = BusinessConfig()


def grow(app, events):
    """root -> amy -> amy1, root -> bob -> bob1; each with an order, a contact and (bob) a payout."""
    password_hash = hash_password(PASSWORD)
    app.state.clock = lambda: NOW  # business services read time through web.now
    ids = {}
    with transaction(app.state.db_factory) as s:
        create_account(s, "company", None, "distributor", "D000001", password_hash=password_hash)
        root = create_root(s, "D000001", config=CONFIG, now=NOW)
        tea = Product(sku="TEA1", name="Vital Tea", description="green", price=D(30), pv=D(100), bv=D(100), stock=99)
        s.add(tea)
        s.flush()
        for name, sponsor in (("amy", root), ("bob", root), ("amy1", "amy"), ("bob1", "bob")):
            sponsor_row = sponsor if isinstance(sponsor, Distributor) else s.get(Distributor, ids[sponsor])
            form = Enrollment(sponsor_row.referral_code, name, PASSWORD, f"{name}@example.org",
                              display_name=f"Secret-{name}", accept_terms=True)
            member = enroll(s, form, config=CONFIG, fingerprint=app.state.keys.fingerprint, now=NOW,
                            events=app.state.emitter, password_hash=password_hash)
            ids[name] = member.id
            user = s.get(User, member.id)
            ids[f"{name}.order"] = place_order(s, user, [(tea.id, 1)], config=CONFIG, now=NOW,
                                               events=app.state.emitter).id
            ids[f"{name}.contact"] = add_contact(s, user, f"Lead-of-{name}", now=NOW).id
        s.add(Payout(id="PBOB0001", distributor_id=ids["bob"], amount=D(25), status="requested", requested_at=NOW))
    return ids


def ready(harness, member_id):
    """KYC verified, a bank account set a month ago, 300.00 earned."""
    with transaction(harness.app.state.db_factory) as s:
        member, user = s.get(Distributor, member_id), s.get(User, member_id)
        member.kyc_status, member.bank_fingerprint = "verified", "f" * 32
        member.bank_changed_at, user.bank_fingerprint = NOW - timedelta(days=30), "f" * 32
        s.add(LedgerEntry(distributor_id=member_id, amount=D("300.00"), kind="unilevel_level", period="2026-10"))
