"""Demo-review fixes: incident titles follow the worst alert, HTTP evidence, chart buckets, events/minute."""

from __future__ import annotations

import re

from builders import make_event
from dash_kit import T0, make_alert

from dashboard.incidents.schemas import IncidentFilter
from dashboard.incidents.service import list_incidents


def _ingest(app, ctx, alerts) -> None:
    ctx.store.write_alerts(alerts)
    app.state.worker.drain()


def _inject(seconds, rule_name, severity, **kw):
    return make_alert(
        seconds,
        rule_name=rule_name,
        rule_id=rule_name.lower().replace(" ", "-"),
        severity=severity,
        category="injection",
        entity_type="ip",
        entity_value="203.0.113.7",
        **kw,
    )


def test_title_follows_most_severe_alert_ties_newest(app, ctx, client_for):
    _ingest(app, ctx, [_inject(0, "OS command injection attempt", "high")])
    (first,) = list_incidents(ctx, IncidentFilter(status="all")).rows
    assert first.title.startswith("OS command injection attempt")
    # a later batch: the critical alert takes the title, a later medium one does not
    _ingest(
        app, ctx, [_inject(60, "Automated injection scanning", "critical"), _inject(90, "SQLi", "medium")]
    )
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
        5,
        event__id="http-1",
        event__dataset="mlm.http",
        event__action="http_request",
        http__request__method="GET",
        url__path="/shop/item",
        url__query=payload,
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


def _section(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start : html.index("</section>", start)]


def test_alert_chart_buckets_follow_the_data_span(app, ctx, client_for):
    _ingest(
        app, ctx, [make_alert(0), make_alert(120, entity_value="bob"), make_alert(300, entity_value="cy")]
    )
    viewer = client_for("viewer")
    text = viewer.get("/overview").text
    assert "Alerts per 1m by category (last 24m of alerts)" in text
    chart = _section(text, "Alerts per")
    xs = {part.split('"')[0] for part in chart.split('class="bar s0" x="')[1:]}
    assert len(xs) == 3  # three minutes apart: three bars, not one
    _ingest(app, ctx, [make_alert(20 * 3600, entity_value="dee")])
    text = viewer.get("/overview/panel").text
    assert "Alerts per 1h by category (last 1d of alerts)" in text
    assert _section(text, "Alerts per").count('class="bar s0"') == 2  # the first three share an hour


def test_events_per_minute_figure_from_the_store_histogram(app, ctx, clock, client_for, monkeypatch):
    base = (clock() - T0).total_seconds()
    ctx.store.write_events(
        [make_event(base - 1800) for _ in range(3)]
        + [make_event(base - 900) for _ in range(2)]
        + [make_event(base - 7200)]  # older than the hour: not shown
    )
    viewer = client_for("viewer")  # logging in writes audit events of the current minute too
    text = viewer.get("/overview").text
    figure = _section(text, 'id="events-per-minute"')
    counts = [int(n) for n in re.findall(r"events: (\d+)</title>", figure)]
    assert counts[:2] == [3, 2] and len(counts) == 3  # 08:30, 08:45, and the login minute
    assert f"({sum(counts)} events)" in figure
    assert "11-02 08:01</text>" in figure  # the hour up to the clock's minute
    assert 'data-live-src="/overview/panel"' in text  # the live JS refreshes the panel holding it
    assert 'id="events-per-minute"' in viewer.get("/overview/panel").text

    def down(*_a, **_k):
        raise ConnectionError("store down")

    monkeypatch.setattr(ctx.store, "histogram", down)
    assert "Event store unreachable." in viewer.get("/overview/panel").text
