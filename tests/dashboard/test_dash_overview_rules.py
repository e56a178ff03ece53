"""Overview figures and charts; the rules page with state, hits, suppression and the published state file."""

from __future__ import annotations

import json

import pytest
from dash_kit import FAST_HASH, csrf_of, make_alert

from dashboard.incidents.schemas import IncidentFilter
from dashboard.incidents.service import list_incidents
from dashboard.main import create_app
from dashboard.settings import DashboardSettings

RULE = """title: Password spraying <b>test</b>
id: rule-spray
name: spray
level: high
tags: [attack.t1110.003]
correlation: {type: value_count, rules: [x], group-by: [source.ip], timespan: 10m}
mlm: {category: account_takeover}
"""

OLD_RULE = """title: Old per-address rule
id: rule-old
status: deprecated
level: medium
tags: [attack.t1110]
logsource: {product: mlm}
detection: {sel: {event.action: login}, condition: sel}
mlm: {category: account_takeover}
"""


@pytest.fixture
def rules_app(tmp_path, clock):
    rules = tmp_path / "rules"
    (rules / "samples").mkdir(parents=True)
    (rules / "spray.yml").write_text(RULE)
    (rules / "old.yml").write_text(OLD_RULE)
    (rules / "broken.yml").write_text("title: [unclosed")
    (rules / "samples" / "ignored.yml").write_text("title: sample\nid: sample\n")
    settings = DashboardSettings(
        data_dir=tmp_path / "data",
        worker_enabled=False,
        rules_dir=rules,
        secret_key="test-secret-key-0123456789",
        **FAST_HASH,
    )
    app = create_app(settings, clock=clock)
    yield app
    app.state.ctx.close()


def test_overview_shows_metrics_chart_and_entities(app, ctx, client_for):
    ctx.store.write_alerts(
        [
            make_alert(0),
            make_alert(
                10, category="injection", entity_value="203.0.113.9", entity_type="ip", severity="critical"
            ),
        ]
    )
    app.state.worker.drain()
    text = client_for("viewer").get("/overview").text
    chart = text[text.index("Alerts per") : text.index('id="events-per-minute"')]
    assert chart.count('class="bar s') == 2  # one bar segment per category in the same bucket
    assert "203.0.113.9" in text and "Mean time to acknowledge" in text
    assert 'data-live-src="/overview/panel"' in text


def test_rules_page_state_hits_and_suppression(rules_app, clock):
    from dash_kit import TestClient, login

    from dashboard.analysts.service import create_analyst

    ctx = rules_app.state.ctx
    password, secret = create_analyst(ctx, "root", "admin", password="correct horse battery staple")
    client = TestClient(rules_app)
    login(client, clock, "root", password, secret)
    ctx.store.write_alerts(
        [make_alert(0, rule_id="rule-spray"), make_alert(5, rule_id="model-x", rule_name="Model X")]
    )
    rules_app.state.worker.drain()
    page = client.get("/rules").text
    assert (
        "Password spraying &lt;b&gt;test&lt;/b&gt;" in page and "broken.yml" in page and "sample" not in page
    )
    assert "Model X" in page  # a rule that fired without a file still shows
    overview = client.get("/overview").text
    # a deprecated rule is never run: not counted as loaded or silent, and offered no Enable button
    assert "1 loaded</a>, 0 disabled, 0 suppressed, 0 never fired, 1 deprecated" in overview
    assert "1 unreadable" in overview
    old_row = page[page.index("rule-old") : page.index("</tr>", page.index("rule-old"))]
    assert "deprecated, never run" in old_row and "Disable" not in old_row and "Enable" not in old_row
    token = csrf_of(page)
    client.post("/rules/enabled", data={"rule_id": "rule-spray", "csrf_token": token})
    client.post(
        "/rules/suppress",
        data={
            "rule_id": "model-x",
            "minutes": "60",
            "entity": "amy",
            "reason": "tuning",
            "csrf_token": token,
        },
    )
    state_path = ctx.settings.data_dir / "rule_state.json"
    state = json.loads(state_path.read_text())
    assert state["disabled"] == ["rule-spray"]
    from detectors.worker import RuleStateFile  # the detectors' reader of this file

    assert RuleStateFile(state_path).disabled() == frozenset({"rule-spray"})
    assert state["suppressions"][0]["rule_id"] == "model-x" and state["suppressions"][0]["entity"] == "amy"
    ctx.store.write_alerts(
        [
            make_alert(20, rule_id="rule-spray", entity_value="zed"),
            make_alert(30, rule_id="model-x", entity_value="amy", category="other"),
            make_alert(40, rule_id="model-x", entity_value="bob", category="other"),
        ]
    )
    rules_app.state.worker.drain()
    entities = {
        r.entity_value for r in list_incidents(ctx, IncidentFilter(status="all", category="other")).rows
    }
    assert entities == {"bob"}  # amy suppressed for model-x, zed's rule disabled
    assert not list_incidents(ctx, IncidentFilter(status="all", entity="zed")).rows
    audit = client.get("/admin/audit").text
    assert "rule_disabled" in audit and "rule_suppressed" in audit
    clock.advance(3601)
    ctx.store.write_alerts([make_alert(4000, rule_id="model-x", entity_value="amy", category="other")])
    rules_app.state.worker.drain()
    assert list_incidents(ctx, IncidentFilter(status="all", entity="amy", category="other")).rows
