"""Response policy → MLM app admin API (a local receiver speaking the INTERFACES.md contract)."""

from __future__ import annotations

import pytest
from dash_kit import FAST_HASH, TestClient, csrf_of, login, make_alert
from dash_receivers import HttpReceiver

from dashboard.analysts.service import create_analyst
from dashboard.main import create_app
from dashboard.models import ResponseAction
from dashboard.response.policy import PolicyError, load_policy
from dashboard.settings import DashboardSettings

POLICY = """
profiles:
  - name: takeover_lock
    filters:
      - {field: category, in: [account_takeover]}
      - {field: severity, in: [high, critical]}
      - {field: entity.type, in: [user]}
    decisions:
      - {action: lock_account, duration: 4h}
    mode: confirm
  - name: block_attackers
    filters:
      - {field: entity.type, eq: ip}
      - {field: risk_score, gte: 80}
    decisions: [{action: block_ip, duration: 1h}]
    mode: auto
"""
REVERTS = {"lock_account": "unlock_account", "block_ip": "unblock_ip"}
TOKEN = "resp-token-0123456789"


def _answer(path, body):
    if body.get("target") == "ghost":
        return 404, {"detail": "unknown target"}
    revert = REVERTS.get(body["action"])
    return 200, {
        "status": "done",
        "action": body["action"],
        "target": body["target"],
        "revert": {"action": revert, "target": body["target"]} if revert else None,
    }


@pytest.fixture
def mlm_app():
    receiver = HttpReceiver(_answer)
    yield receiver
    receiver.close()


@pytest.fixture
def resp_app(tmp_path, clock, mlm_app):
    (tmp_path / "policy.yml").write_text(POLICY)
    settings = DashboardSettings(
        data_dir=tmp_path,
        worker_enabled=False,
        secret_key="test-secret-key-0123456789",
        **FAST_HASH,
        app_url=mlm_app.url,
        response_token=TOKEN,
        response_policy=tmp_path / "policy.yml",
    )
    app = create_app(settings, clock=clock)
    yield app
    app.state.ctx.close()


def _client(app, clock, role):
    password, secret = create_analyst(
        app.state.ctx, f"{role}1", role, password="correct horse battery staple"
    )
    client = TestClient(app)
    login(client, clock, f"{role}1", password, secret)
    return client


def _responses(app):
    with app.state.ctx.db.session() as db:
        return {r.action: (r.id, r.status, r.incident_id) for r in db.query(ResponseAction).all()}


def test_auto_action_runs_once_per_incident(resp_app, mlm_app):
    ctx = resp_app.state.ctx
    ip_alerts = [
        make_alert(
            i,
            entity_type="ip",
            entity_value="203.0.113.66",
            category="injection",
            risk_score=90,
            event_ids=[f"i{i}"],
        )
        for i in range(3)
    ]
    ctx.store.write_alerts(ip_alerts)
    resp_app.state.worker.drain()
    assert len(mlm_app.requests) == 1
    path, headers, body = mlm_app.requests[0]
    assert path == "/api/admin/response" and headers["Authorization"] == f"Bearer {TOKEN}"
    assert (
        body["action"] == "block_ip" and body["target"] == "203.0.113.66" and body["duration_seconds"] == 3600
    )
    assert _responses(resp_app)["block_ip"][1] == "done"


def test_confirm_then_revert_on_the_timeline(resp_app, mlm_app, clock):
    ctx = resp_app.state.ctx
    ctx.store.write_alerts([make_alert(0, severity="high")])
    resp_app.state.worker.drain()
    rid, status, incident_id = _responses(resp_app)["lock_account"]
    assert status == "awaiting_confirmation" and mlm_app.requests == []
    analyst = _client(resp_app, clock, "analyst")
    page = analyst.get(f"/incidents/{incident_id}").text
    assert f'id="confirm-{rid}"' not in page  # analysts see it, only responders can confirm
    assert analyst.post(f"/responses/{rid}/confirm", data={"csrf_token": csrf_of(page)}).status_code == 403
    responder = _client(resp_app, clock, "responder")
    page = responder.get(f"/incidents/{incident_id}").text
    r = responder.post(
        f"/responses/{rid}/confirm", data={"csrf_token": csrf_of(page)}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == f"/incidents/{incident_id}"
    assert (
        mlm_app.requests[0][2]["action"] == "lock_account"
        and mlm_app.requests[0][2]["duration_seconds"] == 14400
    )
    page = responder.get(f"/incidents/{incident_id}").text
    assert "lock_account amy: done" in page
    responder.post(f"/responses/{rid}/revert", data={"csrf_token": csrf_of(page)})
    assert mlm_app.requests[1][2]["action"] == "unlock_account"
    assert _responses(resp_app)["lock_account"][1] == "reverted"
    assert "lock_account amy: reverted" in responder.get(f"/incidents/{incident_id}").text


def test_unknown_target_is_recorded_as_failed(resp_app, mlm_app, clock):
    ctx = resp_app.state.ctx
    ctx.store.write_alerts([make_alert(0, severity="critical", entity_value="ghost")])
    resp_app.state.worker.drain()
    rid, _, incident_id = _responses(resp_app)["lock_account"]
    responder = _client(resp_app, clock, "responder")
    page = responder.get(f"/incidents/{incident_id}").text
    responder.post(f"/responses/{rid}/confirm", data={"csrf_token": csrf_of(page)})
    assert _responses(resp_app)["lock_account"][1] == "failed"
    assert "unknown target" in responder.get(f"/incidents/{incident_id}").text


@pytest.mark.parametrize(
    "text, message",
    [
        ("profiles: [{name: p, decisions: [{action: format_disk}]}]", "action must be one of"),
        (
            "profiles: [{name: p, filters: [{field: nope, in: [x]}], decisions: [{action: block_ip}]}]",
            "each filter",
        ),
        ("profiles: [{name: p, decisions: [{action: block_ip, duration: soon}]}]", "duration"),
        ("nothing: here", "profiles"),
    ],
)
def test_bad_policy_files_fail_with_a_clear_message(tmp_path, text, message):
    (tmp_path / "p.yml").write_text(text)
    with pytest.raises(PolicyError, match=message):
        load_policy(tmp_path / "p.yml")
