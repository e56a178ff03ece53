"""No password, TOTP or recovery code, session token, reset token, bank number or SSN in any emitted
event or Python log line of the MLM app, whatever flow carried it; the dashboard masks PII it shows."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from mlmapp_helpers import PASSWORD, code_for, csrf, enrol_mfa, signed_in

from dashboard.pii import mask_text, mask_value
from mlm_app.accounts.sessions import COOKIE

IBAN = "DE89370400440532013000"
SSN = "123-45-6789"
NEW_PASSWORD = "a brand new passphrase 42"
RESET_PASSWORD = "reset passphrase number 77"


def _walk_flows(harness: Any, caplog: Any) -> dict[str, str]:
    """Sign in with MFA, step up, change bank, identity and password, reset it; returns the secrets used."""
    client, _uid, _ = signed_in(harness, "sam.secret")
    secrets = {"password": PASSWORD, "session": client.cookies.get(COOKIE) or "x" * 40}
    secret = enrol_mfa(client)
    secrets["totp_secret"] = secret
    code = code_for(secret, 1)
    secrets["totp"] = code
    page = client.get("/account/step-up?next=/account/profile")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert (
        client.post(
            "/account/step-up", data={"code": code, "csrf_token": token, "next": "/account/profile"}
        ).status_code
        == 303
    )
    token = csrf(client, "/account/profile")
    assert (
        client.post("/account/profile/bank", data={"account_number": IBAN, "csrf_token": token}).status_code
        == 303
    )
    assert client.post(
        "/account/profile/identity", data={"tax_id": SSN, "csrf_token": token}
    ).status_code in (303, 400)
    r = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "csrf_token": csrf(client, "/account/password"),
        },
    )
    assert r.status_code == 303
    secrets["new_password"] = NEW_PASSWORD
    # wrong current password, a password typed into the code field: still never logged
    client.post(
        "/account/password",
        data={
            "current_password": "wrong " + NEW_PASSWORD,
            "new_password": "x",
            "csrf_token": csrf(client, "/account/password"),
        },
    )
    anon = harness.client("198.51.100.20")
    anon.post(
        "/password/forgot", data={"account": "sam.secret", "csrf_token": csrf(anon, "/password/forgot")}
    )
    mail = next((Path(harness.app.state.settings.data_dir) / "outbox").glob("*.txt")).read_text()
    reset_token = re.search(r"token=([\w\-.~%]+)", mail).group(1)  # type: ignore[union-attr]
    secrets["reset_token"] = reset_token
    anon.get(f"/password/reset?token={reset_token}")
    anon.post(
        "/password/reset",
        data={
            "token": reset_token,
            "new_password": RESET_PASSWORD,
            "csrf_token": csrf(anon, f"/password/reset?token={reset_token}"),
        },
        headers={"referer": f"http://testserver/password/reset?token={reset_token}"},
    )
    secrets["reset_password"] = RESET_PASSWORD
    return secrets


def test_no_secret_in_events_or_logs(harness: Any, caplog: Any) -> None:
    with caplog.at_level(logging.DEBUG):
        secrets = _walk_flows(harness, caplog)
    secrets |= {"iban": IBAN, "iban_digits": IBAN[4:], "ssn": SSN, "ssn_digits": SSN.replace("-", "")}
    events = json.dumps(harness.events)
    # the server's own loggers; httpx logs the test client's side of the exchange
    logs = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "asyncio")))
    assert len(harness.events) > 20
    for name, value in secrets.items():
        assert value not in events, f"{name} leaked into an event"
        assert value not in logs, f"{name} leaked into a log line"
    assert harness.find("mlm.audit", "bank_account_changed")


def test_dashboard_masks_bank_numbers_ssns_and_cards() -> None:
    text = f"payout to {IBAN} card 4111 1111 1111 1111 ssn {SSN} iban de44500105175407324931"
    masked = mask_text(text)
    for secret in (IBAN, "4111 1111 1111 1111", SSN, "500105175407324931", "0532013"):
        assert secret not in masked, masked
    assert masked.endswith("4931") and "3000" in masked  # the last four stay for recognition
    assert mask_value("mlm.bank.account_number", IBAN).count("*") >= 3
    assert mask_value("user.tax_id", "12345678").count("*") >= 3
