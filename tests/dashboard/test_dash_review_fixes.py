"""Demo-review fixes: incident titles follow the worst alert, HTTP evidence, chart buckets, events/minute."""

from __future__ import annotations

from datetime import timedelta

from builders import make_event
from dash_kit import T0, make_alert

from dashboard.incidents.schemas import IncidentFilter
from dashboard.incidents.service import list_incidents


def _ingest(app, ctx, alerts) -> None:
    ctx.store.write_alerts(alerts)
    app.state.worker.drain()


def _inject(seconds, rule_name, severity, **kw):
    return make_alert(
        seconds, rule_name=rule_name, rule_id=rule_name.lower().replace(" ", "-"), severity=severity,
        category="injection", entity_type="ip", entity_value="203.0.113.7", **kw,
    )


def test_title_follows_most_severe_alert_ties_newest(app, ctx, client_for):
    _ingest(app, ctx, [_inject(0, "OS command injection attempt", "high")])
    (first,) = list_incidents(ctx, IncidentFilter(status="all")).rows
    assert first.title.startswith("OS command injection attempt")
    # a later batch: the critical alert takes the title, a later medium one does not
    _ingest(app, ctx, [_inject(60, "Automated injection scanning", "critical"), _inject(90, "SQLi", "medium")])
    (row,) = list_incidents(ctx, IncidentFilter(status="all")).rows
    assert row.id == first.id and row.alert_count == 3
    assert row.title.startswith("Automated injection scanning") and row.severity == "critical"
    # an older critical alert arriving late loses the tie; a newer one wins it
    _ingest(app, ctx, [_inject(30, "Old critical", "critical")])
    assert list_incidents(ctx, IncidentFilter(status="all")).rows[0].title.startswith("Automated")
    _ingest(app, ctx, [_inject(120, "Newest critical", "critical")])
    (row,) = list_incidents(ctx, IncidentFilter(status="all")).rows
    assert row.title.startswith("Newest critical") and row.id == first.id
    viewer = client_for("viewer")
    assert "Newest critical" in viewer.get("/incidents").text
    detail = viewer.get(f"/incidents/{row.id}").text
    assert "Newest critical" in detail and "OS command injection attempt" in detail  # history kept


def test_http_evidence_shows_query_and_body_escaped_and_clipped(app, ctx, client_for):
    payload = "id=1;cat%20/etc/passwd&x=<script>alert(1)</script>&pad=" + "A" * 400
    event = make_event(
        5, event__id="http-1", event__dataset="mlm.http", event__action="http_request",
        http__request__method="GET", url__path="/shop/item", url__query=payload,
        http__request__body__content="q=<img src=x onerror=alert(2)>",
    )
    ctx.store.write_events([event])
    _ingest(app, ctx, [_inject(6, "OS command injection attempt", "high", event_ids=["http-1"])])
    (row,) = list_incidents(ctx, IncidentFilter(status="all")).rows
    viewer = client_for("viewer")
    detail = viewer.get(f"/incidents/{row.id}").text
    assert "GET /shop/item?id=1;cat%20/etc/passwd&amp;x=&lt;script&gt;alert(1)&lt;/script&gt;" in detail
    assert "body: q=&lt;img src=x onerror=alert(2)&gt;" in detail
    assert "<script>alert(1)" not in detail and "<img src=x" not in detail
    assert "A" * 200 not in detail and "(+" in detail  # clipped in the timeline
    assert f'href="/incidents/{row.id}/investigate#evt-http-1"' in detail
    page = viewer.get(f"/incidents/{row.id}/investigate").text
    assert 'id="evt-http-1"' in page and "?id=1;cat%20/etc/passwd" in page
    assert payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in page  # full value
    assert "<script>alert(1)" not in page
