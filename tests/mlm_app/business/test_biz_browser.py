"""One real browser session (Debian chromium) walks the distributor journey end to end.

Referral link -> enrollment -> sign-in -> TOTP enrolment -> sign-in with MFA -> shop order ->
identity check (the member submits, staff decide) -> commissions on a downline order -> a payout
behind step-up MFA. Asserted on what the member sees and on the events the app emitted.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal as D

import pyotp
import pytest
import uvicorn
from builders import free_port
from mlmapp_helpers import PASSWORD

from mlm_app.accounts.models import User
from mlm_app.business.commissions.service import run_commissions
from mlm_app.business.config import config_of
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.distributors.service import Enrollment, create_root, enroll, set_kyc
from mlm_app.business.orders.models import Product
from mlm_app.business.orders.service import place_order
from mlm_app.business.periods import month_of
from mlm_app.db import transaction

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
SHOTS = os.environ.get("MLM_BROWSER_SHOTS")  # a folder: save one screenshot per step while developing
STEP_UP_SECONDS = 4  # short, so the payout really asks for a fresh second factor after sign-in


@pytest.fixture
def shop_app(make_harness):
    """The real app on a free port, with a company, a sponsor, a product and a finance clerk."""
    harness = make_harness(step_up_seconds=STEP_UP_SECONDS)
    app = harness.app
    harness.add_user("company", user_id="D000001")
    clerk = harness.add_user("finance.kim", role="finance", user_id="S0077")
    with transaction(app.state.db_factory) as s:
        now, config = datetime.now(UTC), config_of(app.state)
        company = create_root(s, "D000001", config=config, now=now)
        sue = enroll(s, Enrollment(company.referral_code, "sponsor.sue", PASSWORD, "sue@example.org",
                                   display_name="Sue Sponsor", accept_terms=True),
                     config=config, fingerprint=app.state.keys.fingerprint, now=now, events=app.state.emitter)
        s.add(Product(sku="TEA1", name="Vital Tea", description="Green tea, 30 bags", price=D("30.00"),
                      pv=D(100), bv=D(100), stock=50))
        sponsor = (sue.id, sue.referral_code)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield harness, f"http://127.0.0.1:{port}", clerk, sponsor
    server.should_exit = True
    thread.join(10)


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _staff_verifies_and_pays_commissions(harness, member_id: str, clerk_id: str) -> None:
    """Staff approve the member's KYC; a recruit of theirs orders; finance runs the month."""
    app = harness.app
    config, now = config_of(app.state), datetime.now(UTC)
    with transaction(app.state.db_factory) as s:
        set_kyc(s, s.get(User, clerk_id), member_id, "verified")
        code = s.get(Distributor, member_id).referral_code
        recruit = enroll(s, Enrollment(code, "recruit.rob", PASSWORD, "rob@example.net", accept_terms=True),
                         config=config, fingerprint=app.state.keys.fingerprint, now=now,
                         events=app.state.emitter)
        tea = s.query(Product).filter_by(sku="TEA1").one()
        place_order(s, s.get(User, recruit.id), [(tea.id, 3)], config=config, now=now, events=app.state.emitter)
    with transaction(app.state.db_factory) as s:
        assert run_commissions(s, month_of(now), config=config, now=now, events=app.state.emitter).status == "success"


def _enrol_and_sign_in_with_mfa(page, base: str) -> pyotp.TOTP:
    page.click("text=Protect your account with two-factor sign-in")
    page.wait_for_url(f"{base}/mfa/setup")
    _shot(page, "04-mfa-setup")
    totp = pyotp.TOTP(page.inner_text("#totp-secret"))
    # Three distinct time steps are needed (enrol, sign in, step-up): the server accepts one step either side.
    page.fill("input[name=code]", totp.at(time.time() - 30))
    page.click("#mfa-setup-form button[type=submit]")
    assert len(page.locator("#recovery-codes li").all()) == 10
    page.click("text=Continue")
    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"{base}/login")
    page.fill("input[name=username]", "new.nina")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/mfa?next=/")
    page.fill("#mfa-form input[name=code]", totp.now())
    page.click("#mfa-form button[type=submit]")
    page.wait_for_url(f"{base}/")
    return totp


def test_distributor_journey_in_a_real_browser(shop_app):
    from playwright.sync_api import sync_playwright

    harness, base, clerk, (sue_id, sue_code) = shop_app
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(f"{base}/enroll?sponsor={sue_code}")
            assert "Sue Sponsor" in page.inner_text("main")
            _shot(page, "01-enroll")
            page.fill("input[name=username]", "new.nina")
            page.fill("input[name=password]", PASSWORD)
            page.fill("input[name=email]", "nina@example.com")
            page.fill("input[name=display_name]", "Nina New")
            page.fill("input[name=bank_account]", "DE89 3704 0044 0532 0130 00")
            page.check("input[name=accept_terms]")
            page.click("#enroll-form button[type=submit]")
            page.wait_for_url(f"{base}/login?enrolled=1")
            _shot(page, "02-login")
            page.fill("input[name=username]", "new.nina")
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_url(f"{base}/")
            _shot(page, "03-home")
            totp = _enrol_and_sign_in_with_mfa(page, base)
            signed_in_at = time.monotonic()
            page.click("main a:has-text('Shop')")
            _shot(page, "05-shop")
            page.fill("#products input[name=quantity]", "2")
            page.click("#products button:has-text('Buy')")
            page.wait_for_url(f"{base}/orders/*")
            order_text = page.inner_text("main")
            assert "60.00" in order_text and "placed" in order_text
            _shot(page, "06-order")
            nina = next(e["user"]["id"] for e in harness.find("mlm.commerce", "distributor_enrolled")
                        if e["user"]["name"] == "new.nina")
            page.goto(f"{base}/distributors/{nina}")
            page.click("button:has-text('Submit identity verification')")
            assert "pending" in page.inner_text("#kyc-status")
            _staff_verifies_and_pays_commissions(harness, nina, clerk)
            page.goto(f"{base}/wallet")
            balance = D(page.inner_text("#balance"))
            assert balance >= D(20) and "verified" in page.inner_text("main")
            _shot(page, "07-wallet")
            # Wait until the sign-in's second factor is stale, so the payout must ask for a fresh one.
            time.sleep(max(0.0, signed_in_at + STEP_UP_SECONDS + 0.5 - time.monotonic()))
            page.fill("#payout-form input[name=amount]", "20.00")
            page.click("#payout-form button[type=submit]")
            page.wait_for_url(f"{base}/account/step-up?next=/wallet")
            _shot(page, "08-step-up")
            page.fill("#mfa-form input[name=code]", totp.at(time.time() + 30))
            page.click("#mfa-form button[type=submit]")
            page.wait_for_url(f"{base}/wallet")
            page.fill("#payout-form input[name=amount]", "20.00")
            page.click("#payout-form button[type=submit]")
            page.wait_for_url(f"{base}/payouts/*")
            assert "requested" in page.inner_text("main") and "20.00" in page.inner_text("main")
            _shot(page, "09-payout")
            page.goto(f"{base}/wallet")
            assert D(page.inner_text("#balance")) == balance - D(20)
        finally:
            browser.close()
    assert problems == []
    mine = [e for e in harness.events if e.get("user", {}).get("id") == nina]
    actions = [e["event"]["action"] for e in mine if e["event"]["dataset"] != "mlm.http"]
    for action in ("distributor_enrolled", "order_placed", "mfa_verify", "payout_requested"):
        assert action in actions, (action, actions)
    enrolled = next(e for e in mine if e["event"]["action"] == "distributor_enrolled")["mlm"]
    assert enrolled["sponsor"]["id"] == sue_id and enrolled["placement"]["parent_id"] == sue_id
    order = next(e for e in mine if e["event"]["action"] == "order_placed")["mlm"]["order"]
    assert (order["amount"], order["pv"]) == (60.0, 200.0)
    verifies = [e for e in mine if e["event"]["action"] == "mfa_verify"]
    assert [e["event"]["outcome"] for e in verifies] == ["success", "success"]
    assert verifies[-1]["mlm"]["auth"].get("step_up") is True
    payout = next(e for e in mine if e["event"]["action"] == "payout_requested")["mlm"]["payout"]
    assert payout["amount"] == 20.0
    assert not [e for e in mine if e["event"]["action"] == "payout_held"]
