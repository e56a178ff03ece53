"""Second factor: mandatory for staff, offered to distributors, replay-proof, recovery codes, step-up."""

from __future__ import annotations

import re

from mlmapp_helpers import CSRF_RE, PASSWORD, code_for, csrf, enrol_mfa, login, signed_in

from mlm_app.accounts.sessions import COOKIE


def _mfa_post(client, data, path="/mfa"):
    token = CSRF_RE.search(client.get(path if path != "/mfa/setup" else "/mfa").text).group(1)
    return client.post(path, data={**data, "csrf_token": token})


def test_staff_must_enrol_before_anything_else(harness):
    harness.add_user("sue.support", role="support", user_id="S0101")
    client = harness.client()
    response = login(client, "sue.support")
    assert response.headers["location"] == "/mfa/setup"
    event = harness.find("mlm.auth", "login")[-1]
    assert event["mlm"]["auth"]["mfa_required"] is True
    assert client.get("/account/security").headers["location"] == "/mfa"  # half signed in
    assert client.get("/staff/users").status_code in (303, 401)
    enrol_mfa(client)
    assert client.get("/staff/users").status_code == 200
    assert harness.find("mlm.auth", "mfa_enrolled")


def test_totp_login_and_replay_refused(harness):
    client, _uid, secret = signed_in(harness, "tia.totp", mfa=True)
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    assert login(client, "tia.totp").headers["location"].startswith("/mfa")
    bad = _mfa_post(client, {"code": "000000" if code_for(secret) != "000000" else "111111"})
    assert bad.status_code == 401
    used = code_for(secret, 1)
    ok = _mfa_post(client, {"code": used})
    assert ok.status_code == 303 and client.get("/").status_code == 200
    verified = harness.find("mlm.auth", "mfa_verify")
    assert [e["event"]["outcome"] for e in verified] == ["failure", "success"]
    assert verified[-1]["mlm"]["auth"]["method"] == "totp"
    # The same code cannot be used again on another sign-in.
    other = harness.client("198.51.100.20")
    login(other, "tia.totp")
    assert _mfa_post(other, {"code": used}).status_code == 401


def test_recovery_code_works_once(harness):
    harness.add_user("ray.recover")
    client = harness.client()
    login(client, "ray.recover")
    page = client.get("/mfa/setup")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    done = client.post("/mfa/setup", data={"code": code_for(secret), "csrf_token": CSRF_RE.search(page.text).group(1)})
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    assert len(codes) == 10
    for attempt, expected in ((codes[0], 303), (codes[0], 401)):
        fresh = harness.client("198.51.100.30")
        login(fresh, "ray.recover")
        assert _mfa_post(fresh, {"recovery_code": attempt}).status_code == expected
    assert harness.find("mlm.auth", "mfa_verify")[0]["mlm"]["auth"]["method"] == "recovery_code"
    assert not any(c in str(harness.events) for c in codes)


def test_mfa_guessing_locks_the_account_across_sessions(harness):
    client, _, secret = signed_in(harness, "max.fail", mfa=True)
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    wrong = "123456" if code_for(secret) != "123456" else "654321"
    first = harness.client("198.51.100.1")
    login(first, "max.fail")
    assert [_mfa_post(first, {"code": wrong}).status_code for _ in range(3)] == [401, 401, 401]
    second = harness.client("198.51.100.2")  # a fresh password sign-in does not reset the count
    login(second, "max.fail")
    statuses = [_mfa_post(second, {"code": wrong}).status_code for _ in range(2)]
    assert statuses == [401, 303] and second.get("/mfa").headers["location"] == "/login"
    assert harness.find("mlm.auth", "account_locked")[-1]["mlm"]["auth"]["lock_reason"] == "too_many_mfa_failures"
    assert harness.find("mlm.auth", "session_revoked")
    assert login(harness.client(), "max.fail").status_code == 401  # locked


def test_bank_change_needs_step_up(harness):
    client, _uid, secret = signed_in(harness, "ben.bank", mfa=True)
    token = csrf(client, "/account/profile")
    # The step-up from enrolment is fresh; expire it to see the challenge.
    from mlm_app.accounts.models import AuthSession
    from mlm_app.db import transaction

    with transaction(harness.app.state.db_factory) as db:
        for row in db.query(AuthSession).all():
            row.step_up_at = None
    refused = client.post("/account/profile/bank", data={"account_number": "DE44 5001 0517 5407 3249 31",
                                                         "csrf_token": token}, headers={"referer": "/account/profile"})
    assert refused.status_code == 303 and refused.headers["location"].startswith("/account/step-up")
    assert not harness.find("mlm.audit", "bank_account_changed")
    step = client.post("/account/step-up", data={"code": code_for(secret, 1), "csrf_token": token,
                                                 "next": "/account/profile"})
    assert step.status_code == 303
    done = client.post("/account/profile/bank", data={"account_number": "DE44 5001 0517 5407 3249 31",
                                                      "csrf_token": token})
    assert done.status_code == 303
    event = harness.find("mlm.audit", "bank_account_changed")[0]
    assert len(event["mlm"]["bank"]["fingerprint"]) == 32
    # No part of the account number is logged (longer fragments: a timestamp or id may hold "5407" by chance).
    logged = str(harness.events).replace(" ", "")
    assert not any(part in logged for part in ("DE44", "50010517", "05175407", "54073249"))
    page = client.get("/account/profile").text
    assert "3249 31" not in page and "49 31"[-2:] in page


def test_staff_cannot_turn_mfa_off(harness):
    client, _, _secret = signed_in(harness, "ada.admin", role="admin")
    response = client.post("/account/mfa/disable", data={"csrf_token": csrf(client, "/account/security")})
    assert response.status_code == 400
    assert not harness.find("mlm.auth", "mfa_disabled")


def test_pending_user_cannot_replace_existing_factor(harness):
    client, _, _secret = signed_in(harness, "pam.pending", mfa=True)
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    login(client, "pam.pending")
    assert client.get("/mfa/setup").headers["location"] == "/account/security"
    assert client.get("/account/security").headers["location"] == "/mfa"
    assert client.cookies.get(COOKIE)
    assert PASSWORD not in str(harness.events)
