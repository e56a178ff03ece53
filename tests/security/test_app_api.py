"""The admin response API under fuzzing, and cross-account access on the platform's own id routes."""

from __future__ import annotations

import json
from typing import Any

from hostile import EDGE_IDS, hostile_text, json_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mlmapp_helpers import csrf, signed_in
from sec_dash import assert_clean

from mlm_app.accounts.models import AuthSession
from mlm_app.db import transaction
from mlm_app.response.schemas import ACTIONS

RESPONSE_TOKEN = "resp-token-for-security-tests-0123456789"  # the `harness` fixture's token
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
TARGETS = st.one_of(
    hostile_text,
    st.sampled_from(["203.0.113.9", "::1", "0.0.0.0/0", "10.0.0.1 ", "D000001", "S0001", *EDGE_IDS]),
)
BODIES = st.one_of(
    json_value,
    st.fixed_dictionaries(
        {"action": st.one_of(st.sampled_from(ACTIONS), hostile_text), "target": TARGETS},
        optional={
            "duration_seconds": st.one_of(st.none(), st.integers(-(2**70), 2**70), st.floats(), hostile_text),
            "reason": hostile_text,
            "request_id": json_value,
        },
    ),
)


def test_response_api_answers_only_200_404_422(harness: Any) -> None:
    harness.add_user("vic.victim", user_id="D000001")
    api = harness.client("192.0.2.50")
    headers = {"Authorization": f"Bearer {RESPONSE_TOKEN}"}

    @FUZZ
    @given(body=BODIES)
    def check(body: Any) -> None:
        r = api.post("/api/admin/response", content=json.dumps(body, allow_nan=True), headers=headers)
        assert r.status_code in (200, 404, 422), (body, r.status_code, r.text[:200])
        assert_clean(r, body)
        assert RESPONSE_TOKEN not in r.text
        if r.status_code == 200:
            assert r.json()["status"] == "done" and r.json()["action"] in ACTIONS

    check()
    audited = harness.find("mlm.audit", "response_action")
    assert audited and RESPONSE_TOKEN not in json.dumps(harness.events)


def test_response_api_refuses_bad_tokens_without_parsing(harness: Any) -> None:
    api = harness.client("192.0.2.51")
    for header in (
        "",
        "Bearer",
        "Bearer ",
        f"Basic {RESPONSE_TOKEN}",
        f"Bearer {RESPONSE_TOKEN}x",
        f"Bearer {RESPONSE_TOKEN[:-1]}",
        b"Bearer \xe9\xe9",
        f"bearer  {RESPONSE_TOKEN}",
    ):
        r = api.post("/api/admin/response", content=b"\xff\xfe{", headers={"Authorization": header})
        assert r.status_code == 401, header


def test_a_member_cannot_end_another_members_session(harness: Any) -> None:
    victim, victim_id, _ = signed_in(harness, "val.victim")
    attacker, _aid, _ = signed_in(harness, "mal.member", ip="198.51.100.66")
    with transaction(harness.app.state.db_factory) as db:
        victim_session = db.query(AuthSession).filter_by(user_id=victim_id).one().id
    token = csrf(attacker, "/account/security")
    r = attacker.post(f"/account/sessions/{victim_session}/revoke", data={"csrf_token": token})
    assert r.status_code == 403
    assert victim.get("/account/security").status_code == 200  # still signed in
    denied = harness.find("mlm.audit", "access_denied")[-1]
    assert denied["mlm"]["target"]["id"] == victim_id


def test_health_tells_remote_callers_only_that_the_app_is_up(harness: Any) -> None:
    assert harness.client("198.51.100.7").get("/health").json() == {"status": "ok"}
    assert "shipper" in harness.client("127.0.0.1").get("/health").json()
