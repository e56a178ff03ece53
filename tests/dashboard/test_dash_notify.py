"""Notifications over a real local SMTP server and HTTP webhook: routing, grouping, throttling, masking."""

from __future__ import annotations

import pytest
from dash_kit import FAST_HASH, make_alert
from dash_receivers import HttpReceiver, SmtpSink

from dashboard.main import create_app
from dashboard.settings import DashboardSettings


@pytest.fixture
def sinks():
    hook, smtp = HttpReceiver(), SmtpSink()
    yield hook, smtp
    hook.close()
    smtp.close()


@pytest.fixture
def notify_app(tmp_path, clock, sinks):
    hook, smtp = sinks
    settings = DashboardSettings(
        data_dir=tmp_path,
        worker_enabled=False,
        secret_key="test-secret-key-0123456789",
        **FAST_HASH,
        webhook_url=hook.url + "/hook",
        webhook_min_severity="high",
        webhook_categories=[],
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_to=["soc@example.org"],
        email_min_severity="critical",
        email_categories=["account_takeover"],
        notify_throttle_seconds=300,
    )
    app = create_app(settings, clock=clock)
    yield app
    app.state.ctx.close()


def _run(app, alerts):
    app.state.ctx.store.write_alerts(alerts)
    app.state.worker.drain()


def test_attack_wave_sends_one_message_then_one_digest(notify_app, sinks, clock):
    hook, smtp = sinks
    wave = [
        make_alert(
            i,
            severity="high",
            entity_type="ip",
            entity_value=f"198.51.100.{i}",
            category="traffic_flood",
            rule_id="r-flood",
            event_ids=[f"f{i}"],
        )
        for i in range(40)
    ]
    _run(notify_app, wave[:20])
    assert len(hook.requests) == 1 and "20 traffic_flood alerts" in hook.requests[0][2]["text"]
    _run(notify_app, wave[20:])  # inside the throttle window: held
    assert len(hook.requests) == 1
    clock.advance(301)
    notify_app.state.worker.run_once()  # the window ended: one digest for the rest
    assert len(hook.requests) == 2 and "20 traffic_flood alerts" in hook.requests[1][2]["text"]
    notify_app.state.worker.run_once()
    assert len(hook.requests) == 2
    assert smtp.messages == []  # email wants critical account_takeover only


def test_routing_by_severity_and_category_with_pii_masked(notify_app, sinks):
    hook, smtp = sinks
    _run(
        notify_app,
        [
            make_alert(0, severity="medium"),  # below both channels' floors
            make_alert(
                1,
                severity="critical",
                summary="takeover of jane.doe@example.com card 4111111111111234",
                event_ids=["c1"],
            ),
            make_alert(2, severity="critical", category="injection", rule_id="r-sqli", event_ids=["c2"]),
        ],
    )
    texts = [r[2]["text"] for r in hook.requests]
    assert len(texts) == 2 and any("injection" in t for t in texts)
    assert len(smtp.messages) == 1
    mail = smtp.messages[0][2]
    assert smtp.messages[0][1] == ["soc@example.org"] and "account_takeover" in mail
    assert "jane.doe@example.com" not in mail and "j***@example.com" in mail and "****1234" in mail
    assert all("jane.doe" not in t for t in texts)


def test_dead_channel_is_recorded_not_fatal(tmp_path, clock):
    settings = DashboardSettings(
        data_dir=tmp_path,
        worker_enabled=False,
        secret_key="test-secret-key-0123456789",
        **FAST_HASH,
        webhook_url="http://127.0.0.1:9/nothing",
        webhook_min_severity="low",
    )
    app = create_app(settings, clock=clock)
    try:
        _run(app, [make_alert(0)])
        from sqlalchemy import select

        from dashboard.models import Notification

        with app.state.ctx.db.session() as db:
            row = db.scalars(select(Notification)).one()
            assert row.status == "failed" and "unreachable" in row.error
    finally:
        app.state.ctx.close()
