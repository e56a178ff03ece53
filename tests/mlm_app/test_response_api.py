"""The admin response API of docs/INTERFACES.md: auth, every action, revert info, audit, IP blocks."""

from __future__ import annotations

import re

from mlmapp_helpers import code_for, csrf, login, signed_in

from mlm_app.accounts.models import BlockedIP, ResponseRecord, User
from mlm_app.db import transaction

TOKEN = "resp-token-for-tests-0123456789"


def call(client, action, target, token=TOKEN, **extra):
    body = {"action": action, "target": target, "duration_seconds": None, "reason": "test", "request_id": "r-1"}
    body.update(extra)
    return client.post("/api/admin/response", json=body, headers={"Authorization": f"Bearer {token}"})


def _user(harness, uid):
    with transaction(harness.app.state.db_factory) as db:
        return db.get(User, uid)


def test_bad_token_401_and_no_token_configured(harness, make_harness):
    uid = harness.add_user("kim.victim")
    api = harness.client("192.0.2.50")
    assert call(api, "lock_account", uid, token="wrong").status_code == 401
    assert api.post("/api/admin/response", content=b"not json").status_code == 401  # auth before parsing
    assert harness.find("mlm.audit", "access_denied")
    closed = make_harness()  # no response_token configured: the API refuses everyone
    assert call(closed.client(), "lock_account", uid, token="").status_code == 401
    assert _user(harness, uid).locked_until is None


def test_unknown_action_422_unknown_target_404(harness):
    api = harness.client("192.0.2.50")
    assert call(api, "delete_everything", "D1").status_code == 422
    assert call(api, "lock_account", "D999999").status_code == 404
    assert call(api, "block_ip", "not-an-ip").status_code == 404
    assert call(api, "lock_account", "D1", duration_seconds=-5).status_code == 422


def test_lock_revokes_sessions_and_unlock_reverts(harness):
    client, uid, _ = signed_in(harness, "lou.locked")
    assert client.get("/").status_code == 200
    api = harness.client("192.0.2.50")
    answer = call(api, "lock_account", uid, duration_seconds=3600)
    assert answer.status_code == 200
    assert answer.json() == {"status": "done", "action": "lock_account", "target": uid,
                             "revert": {"action": "unlock_account", "target": uid}}
    assert client.get("/").status_code == 303  # the live session died
    assert login(harness.client(), "lou.locked").status_code == 401
    locked = harness.find("mlm.auth", "account_locked")[-1]
    assert locked["user"]["id"] == uid and locked["mlm"]["auth"]["lock_reason"] == "siem_response"
    assert harness.find("mlm.auth", "session_revoked")
    audit = harness.find("mlm.audit", "response_action")[-1]
    assert audit["mlm"]["target"]["id"] == uid and audit["mlm"]["response"]["action"] == "lock_account"
    assert call(api, "unlock_account", uid).json()["revert"] == {"action": "lock_account", "target": uid}
    assert login(harness.client(), "lou.locked").status_code == 303


def test_block_ip_refuses_requests_until_unblocked(harness):
    api = harness.client("192.0.2.50")
    answer = call(api, "block_ip", "198.51.100.77")
    assert answer.json()["revert"] == {"action": "unblock_ip", "target": "198.51.100.77"}
    attacker = harness.client("198.51.100.77")
    assert attacker.get("/login").status_code == 403
    blocked_event = [e for e in harness.find("mlm.http", "http_request") if e["source"]["ip"] == "198.51.100.77"]
    assert blocked_event[-1]["http"]["response"]["status_code"] == 403
    assert harness.client("198.51.100.78").get("/login").status_code == 200
    call(api, "unblock_ip", "198.51.100.77")
    assert attacker.get("/login").status_code == 200


def test_block_ip_with_duration_expires(harness):
    api = harness.client("192.0.2.50")
    call(api, "block_ip", "2001:db8::1", duration_seconds=60)
    with transaction(harness.app.state.db_factory) as db:
        row = db.get(BlockedIP, "2001:db8::1")
        assert row.until is not None
        row.until = row.created_at  # already expired
    assert harness.client("2001:db8::1").get("/login").status_code == 200


def test_force_mfa_reenrol(harness):
    client, uid, _ = signed_in(harness, "fox.mfa", mfa=True)
    answer = call(harness.client("192.0.2.50"), "force_mfa_reenrol", uid)
    assert answer.status_code == 200 and answer.json()["revert"] is None
    assert _user(harness, uid).must_reenrol_mfa is True and _user(harness, uid).mfa_enabled is False
    assert client.get("/").status_code == 303
    assert login(harness.client(), "fox.mfa").headers["location"] == "/mfa/setup"
    assert harness.find("mlm.auth", "mfa_reset")[-1]["mlm"]["target"]["id"] == uid


def test_force_password_reset_kills_the_old_password(harness):
    client, uid, secret = signed_in(harness, "fox.reset", mfa=True)
    answer = call(harness.client("192.0.2.50"), "force_password_reset", uid)
    assert answer.status_code == 200 and answer.json()["revert"] is None
    assert client.get("/").status_code == 303
    assert login(harness.client(), "fox.reset").status_code == 401  # a stolen password is useless now
    outbox = list((harness.app.state.settings.data_dir / "outbox").iterdir())
    token = re.search(r"token=([A-Za-z0-9_-]+)", outbox[0].read_text()).group(1)
    fresh = harness.client()
    form = csrf(fresh, f"/password/reset?token={token}")
    done = fresh.post("/password/reset", data={"token": token, "new_password": "the owner's new one", "csrf_token": form})
    assert done.status_code == 200
    step = login(fresh, "fox.reset", "the owner's new one")
    assert step.headers["location"].startswith("/mfa")
    token = csrf(fresh, "/mfa")
    assert fresh.post("/mfa", data={"code": code_for(secret, 1), "csrf_token": token}).status_code == 303
    assert fresh.get("/").status_code == 200
    assert harness.find("mlm.auth", "password_reset_requested")[-1]["user"]["id"] == uid


def test_hold_and_release_payouts(harness):
    uid = harness.add_user("pat.payout")
    api = harness.client("192.0.2.50")
    assert call(api, "hold_payouts", uid, reason="commission fraud").json()["revert"]["action"] == "release_payouts"
    assert _user(harness, uid).payouts_held is True
    call(api, "release_payouts", uid)
    assert _user(harness, uid).payouts_held is False
    with transaction(harness.app.state.db_factory) as db:
        records = db.query(ResponseRecord).all()
        assert [r.action for r in records] == ["hold_payouts", "release_payouts"]
