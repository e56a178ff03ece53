"""Payout requests over HTTP need a fresh second factor; the SIEM response API holds them."""


from bizhttp import grow, ready
from mlmapp_helpers import csrf, enrol_mfa, login

from mlm_app.accounts.models import AuthSession
from mlm_app.business.payouts.models import Payout
from mlm_app.db import transaction

TOKEN = "resp-token-for-tests-0123456789"  # the `harness` fixture's response token


def test_payout_needs_step_up_and_siem_hold_applies(harness):
    ids = grow(harness.app, harness.events)
    ready(harness, ids["amy"])
    client = harness.client()
    assert login(client, "amy").status_code == 303
    enrol_mfa(client)  # enrolment counts as a fresh second factor
    token = csrf(client, "/wallet")
    made = client.post("/payouts", data={"csrf_token": token, "amount": "120.50"})
    assert made.status_code == 303, made.text
    payout_id = made.headers["location"].rsplit("/", 1)[-1]
    assert "requested" in client.get(f"/payouts/{payout_id}").text
    assert harness.find("mlm.commerce", "payout_requested")[0]["mlm"]["payout"]["amount"] == 120.5
    with transaction(harness.app.state.db_factory) as s:
        for row in s.query(AuthSession).all():
            row.step_up_at = None
    refused = client.post("/payouts", data={"csrf_token": token, "amount": "20"}, headers={"referer": "/wallet"})
    assert refused.status_code == 303 and refused.headers["location"].startswith("/account/step-up")
    api = harness.client("192.0.2.50")
    body = {"action": "hold_payouts", "target": ids["amy"], "duration_seconds": None, "reason": "fraud suspected",
            "request_id": "r-9"}
    assert api.post("/api/admin/response", json=body, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    with transaction(harness.app.state.db_factory) as s:
        assert s.get(Payout, payout_id).status == "held"
    assert "fraud suspected" in client.get(f"/payouts/{payout_id}").text
    body["action"] = "release_payouts"
    assert api.post("/api/admin/response", json=body, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    with transaction(harness.app.state.db_factory) as s:
        assert s.get(Payout, payout_id).status == "requested"
    assert "120.50" in client.get("/wallet").text or "179.50" in client.get("/wallet").text


def test_bad_payout_amount_is_a_clear_error(harness):
    ids = grow(harness.app, harness.events)
    ready(harness, ids["amy"])
    client = harness.client()
    assert login(client, "amy").status_code == 303
    enrol_mfa(client)
    token = csrf(client, "/wallet")
    for amount, status in (("lots", 422), ("1e9", 409), ("5", 422), ("NaN", 422), ("-Infinity", 422), ("9" * 60, 422)):
        answer = client.post("/payouts", data={"csrf_token": token, "amount": amount})
        assert answer.status_code == status, (amount, answer.status_code)
    assert not harness.find("mlm.commerce", "payout_requested")
