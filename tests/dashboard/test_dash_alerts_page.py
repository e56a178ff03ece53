"""The alerts page lists the store's alerts newest first, filters them and escapes everything."""

from __future__ import annotations

from dash_kit import make_alert


def test_alerts_newest_first_with_filter(client_for, ctx):
    ctx.store.write_alerts(
        [
            make_alert(0, summary="first one"),
            make_alert(60, summary="second one"),
            make_alert(120, category="injection", rule_id="r-sqli", summary="third one"),
        ]
    )
    client = client_for("viewer")
    text = client.get("/alerts").text
    assert text.index("third one") < text.index("second one") < text.index("first one")
    filtered = client.get("/alerts", params={"category": "injection"}).text
    assert "third one" in filtered and "first one" not in filtered
    rows = client.get("/alerts/rows").text
    assert "<html" not in rows and "third one" in rows


def test_alert_strings_are_escaped(client_for, ctx):
    ctx.store.write_alerts([make_alert(0, summary="<script>alert(1)</script>", entity_value="<img src=x>")])
    text = client_for("viewer").get("/alerts").text
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img src=x>" not in text
