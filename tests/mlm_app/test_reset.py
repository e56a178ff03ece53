"""Forgotten password: outbox delivery, single use, expiry, no enumeration, no token in events."""

from __future__ import annotations

import re

from mlmapp_helpers import CSRF_RE, csrf, login, signed_in

from mlm_app.accounts.models import PasswordReset
from mlm_app.db import transaction

NEW = "a brand new passphrase"


def _request(harness, client, account):
    return client.post("/password/forgot", data={"account": account, "csrf_token": csrf(client, "/password/forgot")})


def _mailed_token(harness):
    outbox = list((harness.app.state.settings.data_dir / "outbox").iterdir())
    assert len(outbox) == 1 and oct(outbox[0].stat().st_mode)[-3:] == "600"
    return re.search(r"/password/reset\?token=([A-Za-z0-9_-]+)", outbox[0].read_text()).group(1)


def test_reset_flow_single_use(make_harness):
    harness = make_harness(public_url="https://shop.example")
    old_client, _uid, _ = signed_in(harness, "rita.reset")
    client = harness.client(headers={"host": "evil.example"})
    known, unknown = _request(harness, client, "rita.reset"), _request(harness, client, "nobody.at.all")
    assert known.status_code == unknown.status_code == 200
    assert "we sent it a link" in known.text and "we sent it a link" in unknown.text
    token = _mailed_token(harness)
    assert "https://shop.example/password/reset" in next((harness.app.state.settings.data_dir / "outbox").iterdir()).read_text()
    page = client.get(f"/password/reset?token={token}")
    form = CSRF_RE.search(page.text).group(1)
    done = client.post("/password/reset", data={"token": token, "new_password": NEW, "csrf_token": form})
    assert done.status_code == 200
    again = client.post("/password/reset", data={"token": token, "new_password": NEW + "x", "csrf_token": form})
    assert again.status_code == 400
    assert old_client.get("/").status_code == 303  # sessions were signed out
    assert login(harness.client(), "rita.reset", NEW).status_code == 303
    outcomes = [(e["event"]["action"], e["event"]["outcome"]) for e in harness.events if e["event"]["dataset"] == "mlm.auth"
                and e["event"]["action"].startswith("password_reset")]
    assert outcomes == [("password_reset_requested", "success"), ("password_reset_requested", "failure"),
                        ("password_reset_completed", "success"), ("password_reset_completed", "failure")]
    assert token not in str(harness.events) and NEW not in str(harness.events)


def test_expired_link_refused(harness):
    harness.add_user("eli.expired")
    client = harness.client()
    _request(harness, client, "eli.expired")
    token = _mailed_token(harness)
    with transaction(harness.app.state.db_factory) as db:
        row = db.query(PasswordReset).one()
        row.expires_at = row.created_at
    form = csrf(client, f"/password/reset?token={token}")
    refused = client.post("/password/reset", data={"token": token, "new_password": NEW, "csrf_token": form})
    assert refused.status_code == 400 and "expired" in refused.text
