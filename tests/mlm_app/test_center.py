"""Security center, staff PII access, roles, privacy export and erasure."""

from __future__ import annotations

import re

from mlmapp_helpers import PASSWORD, code_for, csrf, login, signed_in

from mlm_app.accounts.models import User
from mlm_app.db import transaction
from mlm_app.profile import service as pii


def test_sessions_listed_and_signed_out_individually(harness):
    laptop, _uid, _ = signed_in(harness, "liz.multi")
    phone = harness.client("198.51.100.44", headers={"user-agent": "PhoneBrowser/1.0"})
    login(phone, "liz.multi")
    page = laptop.get("/account/security").text
    assert "198.51.100.44" in page and "PhoneBrowser/1.0" in page and "this session" in page
    session_ids = re.findall(r'/account/sessions/(\d+)/revoke', page)
    assert len(session_ids) == 1
    done = laptop.post(f"/account/sessions/{session_ids[0]}/revoke", data={"csrf_token": csrf(laptop, "/")})
    assert done.status_code == 303
    assert phone.get("/").status_code == 303 and laptop.get("/").status_code == 200
    assert "liz.multi" in str(harness.find("mlm.auth", "session_revoked"))
    history = laptop.get("/account/security").text
    assert history.count("success") >= 2


def test_cannot_revoke_someone_elses_session(harness):
    victim, victim_id, _ = signed_in(harness, "vic.victim")
    mallory, _, _ = signed_in(harness, "mal.lory", ip="198.51.100.66")
    victim_session = re.findall(r'<td>this session', victim.get("/account/security").text)
    assert victim_session
    from mlm_app.accounts.models import AuthSession

    with transaction(harness.app.state.db_factory) as db:
        target = db.query(AuthSession).filter_by(user_id=victim_id).first().id
    refused = mallory.post(f"/account/sessions/{target}/revoke", data={"csrf_token": csrf(mallory, "/")})
    assert refused.status_code == 403
    denied = harness.find("mlm.audit", "access_denied")[-1]
    assert denied["mlm"]["target"]["id"] == victim_id and denied["url"]["path"].endswith("/revoke")
    assert victim.get("/").status_code == 200


def test_security_report_emits_audit_event(harness):
    client, uid, _ = signed_in(harness, "rex.report")
    token = csrf(client, "/account/security")
    message = "Someone phoned me asking for my login code <b>urgent</b>"
    done = client.post("/account/report", data={"category": "phishing", "message": message, "csrf_token": token})
    assert done.status_code == 303
    event = harness.find("mlm.audit", "security_report")[0]
    assert event["mlm"]["report"]["category"] == "phishing" and event["mlm"]["report"]["id"].startswith("rep-")
    assert event["message"] == message and event["user"]["id"] == uid
    bad = client.post("/account/report", data={"category": "ransom", "message": "x", "csrf_token": token})
    assert bad.status_code == 400
    too_long = client.post("/account/report", data={"category": "other", "message": "x" * 2001, "csrf_token": token})
    assert too_long.status_code == 400


def test_distributor_denied_staff_pages(harness):
    client, _uid, _ = signed_in(harness, "dan.dist")
    assert client.get("/staff/users").status_code == 403
    assert harness.find("mlm.audit", "access_denied")[-1]["url"]["path"] == "/staff/users"


def _with_pii(harness, uid):
    keys = harness.app.state.keys
    with transaction(harness.app.state.db_factory) as db:
        user = db.get(User, uid)
        pii.set_tax_id(user, "123-45-6789", keys)
        pii.set_bank_account(user, "GB82WEST12345698765432", keys, user.created_at)
        return user.bank_fingerprint


def test_pii_encrypted_masked_and_unmasked_only_for_permitted_roles(harness):
    uid = harness.add_user("pia.private")
    _with_pii(harness, uid)
    with harness.app.state.engine.connect() as conn:
        raw = str(conn.exec_driver_sql("SELECT * FROM app_users").fetchall())
    assert "6789" not in raw and "98765432" not in raw
    support, _, _secret = signed_in(harness, "sam.support", role="support")
    page = support.get(f"/staff/users/{uid}").text
    assert "123-45-6789" not in page and "6789" in page and "98765432" not in page
    token = csrf(support, f"/staff/users/{uid}")
    shown = support.post(f"/staff/users/{uid}/reveal", data={"field": "tax_id", "csrf_token": token})
    assert shown.status_code == 200 and "123-45-6789" in shown.text
    viewed = harness.find("mlm.audit", "pii_viewed")
    assert viewed[-1]["mlm"]["target"]["id"] == uid and viewed[-1]["user"]["name"] == "sam.support"
    refused = support.post(f"/staff/users/{uid}/reveal", data={"field": "bank_account", "csrf_token": token})
    assert refused.status_code == 403 and "98765432" not in refused.text
    assert "123-45-6789" not in str(harness.events)


def test_role_change_is_admin_only_and_audited(harness):
    uid = harness.add_user("ron.role")
    support, _, _ = signed_in(harness, "sid.support", role="support")
    token = csrf(support, "/staff/users")
    assert support.post(f"/staff/users/{uid}/role", data={"new_role": "admin", "csrf_token": token}).status_code == 403
    admin, admin_id, _ = signed_in(harness, "ann.admin", role="admin")
    token = csrf(admin, "/staff/users")
    assert admin.post(f"/staff/users/{uid}/role", data={"new_role": "finance", "csrf_token": token}).status_code == 303
    event = harness.find("mlm.audit", "role_changed")[0]
    assert event["mlm"]["target"]["id"] == uid and event["mlm"]["role"]["current"] == "finance"
    assert event["user"]["id"] == admin_id


def test_export_and_erase(harness):
    client, uid, secret = signed_in(harness, "ed.export", mfa=True)
    fingerprint = _with_pii(harness, uid)
    exported = client.get("/account/privacy/export")
    assert exported.status_code == 200
    doc = exported.json()
    assert doc["account"]["username"] == "ed.export" and doc["personal"]["tax_id"] == "123-45-6789"
    assert harness.find("mlm.audit", "data_exported")[0]["mlm"]["export"]["records"] >= 3
    assert "123-45-6789" not in str(harness.events)
    token = csrf(client, "/account/privacy")
    erased = client.post("/account/privacy/erase", data={"confirm": "ed.export", "csrf_token": token})
    assert erased.status_code == 303
    with transaction(harness.app.state.db_factory) as db:
        user = db.get(User, uid)
        assert user.status == "erased" and user.username.startswith("erased-")
        assert user.tax_id_enc is None and user.bank_account_enc is None and user.email is None
        assert user.bank_fingerprint == fingerprint  # pseudonymous link kept for fraud checks on ledgers
    assert login(harness.client(), "ed.export").status_code == 401
    assert PASSWORD not in str(harness.events) and code_for(secret) not in str(harness.find("mlm.http", "x"))


def test_admin_creates_staff_who_must_change_password_and_enrol(harness):
    admin, _, _ = signed_in(harness, "amy.admin", role="admin")
    token = csrf(admin, "/staff/users")
    created = admin.post("/staff/users/new", data={"username": "fin.one", "new_role": "finance", "csrf_token": token})
    assert created.status_code == 200
    password = re.search(r"shown once:\s*<code>([^<]+)</code>", created.text).group(1)
    event = harness.find("mlm.audit", "account_created")[0]
    assert event["mlm"]["role"]["current"] == "finance" and password not in str(harness.events)
    newcomer = harness.client("198.51.100.90")
    assert login(newcomer, "fin.one", password).headers["location"] == "/mfa/setup"
    support, _, _ = signed_in(harness, "sal.support", role="support")
    refused = support.post("/staff/users/new", data={"username": "x.evil", "new_role": "admin",
                                                     "csrf_token": csrf(support, "/staff/users")})
    assert refused.status_code == 403


def test_devices_listed_in_security_center(harness):
    client, _, _ = signed_in(harness, "dev.user")
    login(harness.client("198.51.100.91"), "dev.user")
    page = client.get("/account/security").text
    assert page.count("<tr><td>…") >= 2  # two device cookies signed in


def test_support_cannot_act_on_staff_but_can_help_distributors(harness):
    admin_id = harness.add_user("top.admin", role="admin", user_id="S0900")
    dist_id = harness.add_user("lost.phone", mfa_enabled=True)
    support, _, _ = signed_in(harness, "sky.support", role="support")
    token = csrf(support, "/staff/users")
    assert support.post(f"/staff/users/{admin_id}/mfa-reset", data={"csrf_token": token}).status_code == 403
    assert support.post(f"/staff/users/{admin_id}/lock", data={"csrf_token": token}).status_code == 403
    assert support.post(f"/staff/users/{dist_id}/mfa-reset", data={"csrf_token": token}).status_code == 303
    reset = harness.find("mlm.auth", "mfa_reset")
    assert len(reset) == 1 and reset[0]["mlm"]["target"]["id"] == dist_id


def test_email_change_needs_current_password_and_is_audited(harness):
    client, uid, _ = signed_in(harness, "em.change")
    token = csrf(client, "/account/profile")
    refused = client.post("/account/profile/contact", data={"email": "attacker@evil.example", "csrf_token": token})
    assert refused.status_code == 400
    assert harness.find("mlm.audit", "email_changed")[-1]["event"]["outcome"] == "failure"
    done = client.post("/account/profile/contact", data={"email": "me@mail.example", "current_password": PASSWORD,
                                                         "csrf_token": token})
    assert done.status_code == 303
    event = harness.find("mlm.audit", "email_changed")[-1]
    assert event["event"]["outcome"] == "success" and event["mlm"]["email"]["domain"] == "mail.example"
    assert "me@mail.example" not in str(harness.events) and len(event["mlm"]["email"]["fingerprint"]) == 32
    with transaction(harness.app.state.db_factory) as db:
        assert db.get(User, uid).email == "me@mail.example"
