"""Sign-in: failure reasons, lockout, sessions (fixation, rotation, logout), CSRF, headers, limits."""

from __future__ import annotations

from datetime import timedelta

from mlmapp_helpers import PASSWORD, csrf, login, signed_in

from mlm_app.accounts.models import AuthSession, User
from mlm_app.accounts.sessions import COOKIE
from mlm_app.db import transaction, utcnow


def test_login_success_emits_login_and_sets_session_cookie(harness):
    uid = harness.add_user("amy.seller")
    client = harness.client()
    response = login(client, "amy.seller")
    assert response.status_code == 303 and response.headers["location"] == "/"
    token = client.cookies.get(COOKIE)
    assert token and len(token) >= 40
    event = harness.find("mlm.auth", "login")[-1]
    assert event["event"]["outcome"] == "success"
    assert event["user"] == {"id": uid, "name": "amy.seller"}
    assert event["mlm"]["auth"]["mfa_required"] is False
    assert event["source"]["ip"] == "203.0.113.7"
    assert event["mlm"]["session"]["id"] and token not in str(harness.events)
    home = client.get("/")
    assert home.status_code == 200 and "Welcome, amy.seller" in home.text


def test_failure_reasons_unknown_bad_password_disabled(harness):
    harness.add_user("bob.builder")
    harness.add_user("carl.gone", status="disabled")
    client = harness.client()
    assert login(client, "nobody.here").status_code == 401
    assert login(client, "bob.builder", "wrong password!").status_code == 401
    assert login(client, "carl.gone").status_code == 401
    reasons = [(e["user"]["name"], e["mlm"]["auth"]["failure_reason"]) for e in harness.find("mlm.auth", "login")]
    assert reasons == [("nobody.here", "unknown_user"), ("bob.builder", "bad_password"), ("carl.gone", "disabled")]


def test_lockout_after_threshold_then_locked_reason(harness):
    harness.add_user("dora.target")
    client = harness.client()
    for _ in range(5):
        assert login(client, "dora.target", "guess-guess-guess").status_code == 401
    locked = harness.find("mlm.auth", "account_locked")
    assert len(locked) == 1 and locked[0]["mlm"]["auth"]["lock_reason"] == "too_many_failures"
    # Even the right password is refused while locked, and the reason says so.
    assert login(client, "dora.target").status_code == 401
    assert harness.find("mlm.auth", "login")[-1]["mlm"]["auth"]["failure_reason"] == "locked"


def test_lock_expires(harness):
    uid = harness.add_user("eve.later")
    with transaction(harness.app.state.db_factory) as db:
        db.get(User, uid).locked_until = utcnow() - timedelta(seconds=1)
    assert login(harness.client(), "eve.later").status_code == 303


def test_new_login_replaces_existing_session(harness):
    harness.add_user("fay.fixed")
    client = harness.client()
    login(client, "fay.fixed")
    first = client.cookies.get(COOKIE)
    again = client.post("/login", data={"username": "fay.fixed", "password": PASSWORD, "csrf_token": csrf(client, "/")})
    assert again.status_code == 303
    second = client.cookies.get(COOKIE)
    assert first != second
    with transaction(harness.app.state.db_factory) as db:
        rows = db.query(AuthSession).all()
        assert sum(1 for r in rows if r.revoked_at is None) == 1


def test_logout_revokes_server_side(harness):
    client, _, _ = signed_in(harness, "gus.out")
    token = client.cookies.get(COOKIE)
    response = client.post("/logout", data={"csrf_token": csrf(client, "/")})
    assert response.status_code == 303
    assert harness.find("mlm.auth", "logout")
    replay = harness.client()
    replay.cookies.set(COOKIE, token)
    assert replay.get("/").status_code == 303  # the stolen cookie is dead


def test_session_rotates_after_interval(make_harness):
    harness = make_harness(session_rotate_minutes=0)
    client, _, _ = signed_in(harness, "hal.rotate")
    before = client.cookies.get(COOKIE)
    assert client.get("/").status_code == 200
    after = client.cookies.get(COOKIE)
    assert after and after != before
    stale = harness.client()
    stale.cookies.set(COOKIE, before)
    late = stale.get("/")  # a parallel request with the old cookie rides on the grace period...
    assert late.status_code == 200 and COOKIE not in late.headers.get("set-cookie", "")  # ...without re-rotating


def test_csrf_required_on_every_form_post(harness):
    harness.add_user("ivy.csrf")
    client = harness.client()
    client.get("/login")
    refused = client.post("/login", data={"username": "ivy.csrf", "password": PASSWORD})
    assert refused.status_code == 403
    forged = client.post("/login", data={"username": "ivy.csrf", "password": PASSWORD, "csrf_token": "x" * 64})
    assert forged.status_code == 403
    assert not harness.find("mlm.auth", "login")  # refused before the handler ran


def test_security_headers_and_hsts_only_on_tls(make_harness):
    plain = make_harness().client().get("/login")
    csp = plain.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert plain.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in plain.headers
    tls = make_harness(secure_cookies=True).client(base_url="https://testserver").get("/login")
    assert tls.headers["strict-transport-security"].startswith("max-age=")
    assert "secure" in tls.headers["set-cookie"].lower()


def test_templates_escape_user_input(harness):
    client = harness.client()
    page = client.get("/login", params={"next": '/"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in page.text


def test_login_rate_limit_per_ip(make_harness):
    harness = make_harness(ip_login_limit=3)
    client = harness.client("198.51.100.9")
    statuses = [login(client, "nobody", "x" * 12).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert login(harness.client("198.51.100.10"), "nobody", "x" * 12).status_code == 401


def test_open_redirect_refused(harness):
    harness.add_user("jon.next")
    client = harness.client()
    token = csrf(client)
    response = client.post("/login", data={"username": "jon.next", "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/x"})
    assert response.headers["location"] == "/"


def test_unauthenticated_pages_redirect_and_api_401(harness):
    client = harness.client()
    assert client.get("/account/security").headers["location"].startswith("/login?next=/account/security")


def test_hostile_input_never_crashes(harness):
    client = harness.client()
    client.cookies.set(COOKIE, "\x00" * 50 + "' OR 1=1 --")
    client.cookies.set("mlm_device", "<script>")
    answers = [
        client.get("/login"),
        client.get("/%ff%fe/..%2f..%2fetc/passwd?%zz=%%"),
        client.post("/login", content=b"\xff\xfe\x00garbage", headers={"content-type": "application/x-www-form-urlencoded"}),
        client.post("/login", content=b"x" * 1_100_000, headers={"content-type": "application/x-www-form-urlencoded"}),
        client.post("/login", content=b"{", headers={"content-type": "application/json", "x-csrf-token": "nope"}),
        client.get("/login", headers={"x-forwarded-for": "not-an-ip, ::zz"}),
    ]
    assert [a.status_code for a in answers] == [200, 404, 403, 413, 403, 200]
    logged = harness.find("mlm.http", "http_request")
    assert len(logged) == len(answers)
    devices = [e.get("mlm", {}).get("device", {}).get("id") for e in logged]
    assert devices[0] is None  # a forged device cookie is not a known device: none is logged
    assert all(d is None or d.startswith("dev-") for d in devices) and "<script>" not in str(logged)
    assert logged[3]["http"]["request"]["body"]["bytes"] == 0  # refused before reading


def test_device_id_is_logged_only_when_the_client_presents_its_cookie(harness):
    client = harness.client()
    client.get("/login")  # first visit: the app issues a device cookie
    issued = client.cookies.get("mlm_device")
    client.get("/login")  # second visit: the browser presents it
    first, second = harness.find("mlm.http", "http_request")[-2:]
    assert "device" not in first.get("mlm", {})
    assert issued and second["mlm"]["device"]["id"] == issued
