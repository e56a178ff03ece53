"""A real browser (Debian chromium via Playwright) signs in with a password and TOTP."""

from __future__ import annotations

import re
import threading
import time

import pyotp
import pytest
import uvicorn
from builders import free_port
from mlmapp_helpers import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


@pytest.fixture
def live_app(make_harness):
    harness = make_harness()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(harness.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield harness, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")


def test_browser_login_with_mfa(live_app):
    from playwright.sync_api import sync_playwright

    harness, base = live_app
    harness.add_user("web.admin", role="admin", user_id="S0042")
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
            _sign_in(page, base, "web.admin")
            try:
                page.wait_for_url(f"{base}/mfa/setup")
            except Exception:  # noqa: BLE001 (re-raised with the page state)
                raise AssertionError((page.url, page.content()[-800:], [
                    (e["event"]["action"], e.get("url"), e.get("http", {}).get("response")) for e in harness.events]))
            totp = pyotp.TOTP(page.inner_text("#totp-secret"))
            page.fill("input[name=code]", totp.now())
            page.click("#mfa-setup-form button[type=submit]")
            assert len(page.locator("#recovery-codes li").all()) == 10
            page.click("text=Continue")
            assert page.inner_text("#welcome") == "Welcome, web.admin"
            page.click("button:has-text('Sign out')")
            page.wait_for_url(f"{base}/login")
            _sign_in(page, base, "web.admin")
            page.wait_for_url(re.compile(r".*/mfa\?next=/$"))
            page.fill("#mfa-form input[name=code]", totp.at(time.time() + 30))
            page.click("#mfa-form button[type=submit]")
            page.wait_for_url(f"{base}/")
            assert page.inner_text("#welcome") == "Welcome, web.admin"
            page.goto(f"{base}/account/security")
            assert page.inner_text("#mfa-status").startswith("On.")
        finally:
            browser.close()
    assert violations == []
    outcomes = [e["event"]["outcome"] for e in harness.find("mlm.auth", "mfa_verify")]
    assert outcomes == ["success"]
    assert harness.find("mlm.auth", "mfa_enrolled")
