"""Payouts: KYC gating, balance, finance approval, SIEM hold and release, bank-change cool-off."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from bizworld import NOW

from mlm_app.accounts.models import User
from mlm_app.business.commissions.ledger import balance
from mlm_app.business.commissions.models import LedgerEntry
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.distributors.service import set_kyc
from mlm_app.business.errors import AccessDenied, Conflict, Invalid, NotFound
from mlm_app.business.payouts import service as payouts


def _earner(world, s, kyc="verified", bank="NL91ABNA0417164300", credit="500.00"):
    root = world.root(s)
    amy = world.join(s, root, "amy", bank=bank, when=NOW - timedelta(days=10))
    s.add(LedgerEntry(distributor_id=amy.id, amount=D(credit), kind="unilevel_level", period="2026-10"))
    if kyc:
        set_kyc(s, world.staff(s, "S0009", "support"), amy.id, kyc)
    s.flush()
    return s.get(User, amy.id)


def _request(world, s, user, amount="100.00", when=NOW):
    return payouts.request_payout(s, user, D(amount), config=world.config, now=when, events=world.emitter)


def test_payout_lifecycle_reserves_and_emits(world):
    with world.factory() as s:
        amy = _earner(world, s)
        finance = world.staff(s)
        payout = _request(world, s, amy)
        assert payout.status == "requested" and balance(s, amy.id) == D("400.00")
        with pytest.raises(AccessDenied):
            payouts.approve_payout(s, amy, payout.id, now=NOW, events=world.emitter)
        payouts.approve_payout(s, finance, payout.id, now=NOW, events=world.emitter)
        payouts.send_payout(s, finance, payout.id, now=NOW, events=world.emitter)
        assert payout.status == "sent" and payout.decided_by == finance.id
    actions = [e["event"]["action"] for e in world.events if e["event"]["action"].startswith("payout_")]
    assert actions == ["payout_requested", "payout_approved", "payout_sent"]
    sent = world.actions("payout_sent")[0]["mlm"]
    assert sent["payout"]["amount"] == 100.0 and sent["bank"]["fingerprint"] == world.fingerprint("NL91ABNA0417164300", "bank")


@pytest.mark.parametrize("kyc, amount, error", [(None, "100", "KYC"), ("pending", "100", "KYC"),
                                                ("verified", "600", "balance"), ("verified", "5", "minimum")])
def test_payout_refusals(world, kyc, amount, error):
    with world.factory() as s:
        amy = _earner(world, s, kyc=kyc)
        with pytest.raises((Conflict, Invalid), match=error):
            _request(world, s, amy, amount)
    assert not world.actions("payout_requested")


def test_siem_hold_and_release(world):
    with world.factory() as s:
        amy = _earner(world, s)
        finance = world.staff(s)
        first = _request(world, s, amy)
        assert payouts.hold_payouts(s, amy.id, "siem: account takeover suspected", events=world.emitter) == [first.id]
        assert first.status == "held" and s.get(User, amy.id).payouts_held
        second = _request(world, s, amy)
        assert second.status == "held" and "takeover" in second.hold_reason
        with pytest.raises(Conflict):
            payouts.approve_payout(s, finance, first.id, now=NOW, events=world.emitter)
        assert sorted(payouts.release_payouts(s, amy.id, "analyst cleared")) == sorted([first.id, second.id])
        payouts.approve_payout(s, finance, first.id, now=NOW, events=world.emitter)
        payouts.reject_payout(s, finance, second.id, now=NOW)
        assert balance(s, amy.id) == D("400.00")
        with pytest.raises(NotFound):
            payouts.hold_payouts(s, "D999999", "x")
    assert len(world.actions("payout_held")) == 2


def test_bank_change_starts_a_cool_off(world):
    with world.factory() as s:
        amy = _earner(world, s)
        amy.bank_fingerprint = world.fingerprint("GB29NWBK60161331926819", "bank")  # changed in the account area
        held = _request(world, s, amy)
        assert held.status == "held" and "cool-off" in held.hold_reason
        later = _request(world, s, amy, when=NOW + timedelta(hours=25))
        assert later.status == "requested" and later.bank_fingerprint == amy.bank_fingerprint


def test_payouts_are_private_even_from_the_upline(world):
    with world.factory() as s:
        amy = _earner(world, s)
        payout = _request(world, s, amy)
        bob = s.get(User, world.join(s, s.get(Distributor, amy.id), "bob").id)  # amy's own recruit
        with pytest.raises(AccessDenied) as info:
            payouts.get_payout(s, bob, payout.id)
        assert info.value.target_id == amy.id
        assert payouts.get_payout(s, world.staff(s, "S0002", "support"), payout.id) is payout
