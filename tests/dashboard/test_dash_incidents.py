"""Alerts grouped into incidents (window, dedup, reopen), workflow, merge/split, metrics, export."""

from __future__ import annotations

from builders import make_event
from dash_kit import csrf_of, make_alert

from dashboard.incidents.schemas import IncidentFilter
from dashboard.incidents.service import list_incidents


def _ingest(app, ctx, alerts) -> None:
    ctx.store.write_alerts(alerts)
    app.state.worker.drain()


def _incidents(ctx, status="all"):
    return list_incidents(ctx, IncidentFilter(status=status)).rows


def test_alerts_group_by_entity_category_and_window(app, ctx, settings):
    window = settings.incident_window_seconds
    _ingest(
        app,
        ctx,
        [
            make_alert(0),
            make_alert(60, severity="high", risk_score=80),  # same incident, severity rises
            make_alert(120, entity_value="bob"),  # other entity
            make_alert(180, category="injection"),  # other category
            make_alert(60 + window + 1),  # after the window: a new incident
        ],
    )
    rows = _incidents(ctx)
    assert len(rows) == 4
    amy = [r for r in rows if r.entity_value == "amy" and r.category == "account_takeover"]
    first = min(amy, key=lambda r: r.id)
    assert first.alert_count == 2 and first.severity == "high"


def test_duplicate_alerts_are_counted_once_and_cursor_persists(app, ctx):
    alert = make_alert(0)
    _ingest(app, ctx, [alert])
    ctx.store.write_alerts([make_alert(0)])  # same deterministic id: the store drops it
    from dashboard.worker import AlertWorker

    AlertWorker(ctx).drain()  # a fresh worker resumes from the saved cursor
    assert [r.alert_count for r in _incidents(ctx)] == [1]


def test_user_reports_are_incidents_of_their_own(app, ctx):
    _ingest(
        app,
        ctx,
        [
            make_alert(0, category="user_report", rule_id="r-report", summary="phishing mail"),
            make_alert(10, category="user_report", rule_id="r-report", event_ids=["e2"]),
        ],
    )
    rows = _incidents(ctx)
    assert len(rows) == 2 and {r.kind for r in rows} == {"user_report"}


def test_triage_from_new_to_resolved_with_mtta_mttr(app, ctx, clock, client_for):
    ctx.store.write_events([make_event(0, event__id="evt-0", user__name="amy", source__ip="198.51.100.7")])
    _ingest(app, ctx, [make_alert(0, event_ids=["evt-0"])])
    inc = _incidents(ctx)[0]
    client = client_for("analyst")
    page = client.get(f"/incidents/{inc.id}")
    assert "198.51.100.7" in page.text  # evidence event on the timeline
    clock.advance(120)
    for status in ("acknowledged", "investigating", "contained", "resolved"):
        r = client.post(
            f"/incidents/{inc.id}/status",
            data={"status": status, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == f"/incidents/{inc.id}"
        clock.advance(60)
    page = client.get(f"/incidents/{inc.id}")
    assert "contained → resolved" in page.text
    closed = _incidents(ctx, "closed")[0]
    assert closed.status == "resolved"
    metrics_page = page.text
    assert "Time to acknowledge" in metrics_page


def test_illegal_transition_and_viewer_are_refused(app, ctx, client_for):
    _ingest(app, ctx, [make_alert(0)])
    inc = _incidents(ctx)[0]
    analyst = client_for("analyst")
    token = csrf_of(analyst.get(f"/incidents/{inc.id}").text)
    r = analyst.post(
        f"/incidents/{inc.id}/status", data={"status": "merged", "csrf_token": token}, follow_redirects=False
    )
    assert r.headers["location"].endswith("?error=invalid")
    viewer = client_for("viewer")
    token = csrf_of(viewer.get(f"/incidents/{inc.id}").text)
    r = viewer.post(f"/incidents/{inc.id}/status", data={"status": "acknowledged", "csrf_token": token})
    assert r.status_code == 403
    assert _incidents(ctx)[0].status == "new"


def test_closed_incident_reopens_on_new_alert(app, ctx, client_for, settings):
    _ingest(app, ctx, [make_alert(0)])
    inc = _incidents(ctx)[0]
    client = client_for("analyst")
    token = csrf_of(client.get(f"/incidents/{inc.id}").text)
    client.post(f"/incidents/{inc.id}/status", data={"status": "resolved", "csrf_token": token})
    _ingest(app, ctx, [make_alert(settings.incident_window_seconds + 100)])  # past grouping, within reopen
    rows = _incidents(ctx)
    assert len(rows) == 1 and rows[0].status == "new" and rows[0].alert_count == 2
    assert "reopened from resolved" in client.get(f"/incidents/{inc.id}").text


def test_merge_and_split(app, ctx, client_for):
    _ingest(
        app, ctx, [make_alert(0), make_alert(30), make_alert(60, entity_value="bob", severity="critical")]
    )
    amy, bob = sorted(_incidents(ctx), key=lambda r: r.entity_value)
    client = client_for("analyst")
    token = csrf_of(client.get(f"/incidents/{amy.id}").text)
    client.post(f"/incidents/{amy.id}/merge", data={"source_id": bob.id, "csrf_token": token})
    merged = {r.id: r for r in _incidents(ctx)}
    assert merged[amy.id].alert_count == 3 and merged[amy.id].severity == "critical"
    assert merged[bob.id].status == "merged" and merged[bob.id].merged_into == amy.id
    page = client.get(f"/incidents/{amy.id}").text
    alert_ids = [a.id for a in [make_alert(0), make_alert(30)]]
    r = client.post(
        f"/incidents/{amy.id}/split",
        data={"alert_ids": alert_ids, "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    new_id = int(r.headers["location"].rsplit("/", 1)[1])
    after = {r.id: r for r in _incidents(ctx)}
    assert after[new_id].alert_count == 2 and after[amy.id].alert_count == 1


def test_comment_assign_severity_and_report_export(app, ctx, client_for):
    _ingest(app, ctx, [make_alert(0, summary="sum <b>x</b> [link](javascript:alert(1))")])
    inc = _incidents(ctx)[0]
    client = client_for("analyst", username="ana")
    token = csrf_of(client.get(f"/incidents/{inc.id}").text)
    client.post(f"/incidents/{inc.id}/comment", data={"text": "looked at it", "csrf_token": token})
    client.post(f"/incidents/{inc.id}/assign", data={"assignee": "ana", "csrf_token": token})
    client.post(f"/incidents/{inc.id}/severity", data={"severity": "critical", "csrf_token": token})
    row = _incidents(ctx)[0]
    assert row.assignee == "ana" and row.severity == "critical"
    md = client.get(f"/incidents/{inc.id}/report.md")
    assert md.status_code == 200 and "looked at it" in md.text and "assigned to ana" in md.text
    assert "](javascript" not in md.text and "<b>" not in md.text
    html = client.get(f"/incidents/{inc.id}/report.html")
    assert "&lt;b&gt;x&lt;/b&gt;" in html.text and "attachment" in html.headers["content-disposition"]
