"""Investigation view: evidence (masked), activity, sponsor chain, downline, linked accounts, SVG."""

from __future__ import annotations

from builders import make_event
from dash_kit import make_alert

from dashboard.incidents.investigation import investigate


def _enroll(seconds, distributor, sponsor, bank, domain="example.org"):
    return make_event(
        seconds,
        event__id=f"enr-{distributor}",
        event__dataset="mlm.commerce",
        event__action="distributor_enrolled",
        user__id=distributor,
        mlm__distributor__id=distributor,
        mlm__sponsor__id=sponsor,
        mlm__bank__fingerprint=bank,
        mlm__email__domain=domain,
        mlm__plan="binary",
        source__ip=f"192.0.2.{distributor[1:]}",
    )


def _world(ctx):
    events = [
        _enroll(0, "D1", "", "bank-1"),
        _enroll(1, "D2", "D1", "bank-2"),
        _enroll(2, "D3", "D2", "bank-3"),
        _enroll(3, "D4", "D3", "bank-shared", "gmail.com"),
        _enroll(4, "D5", "D4", "bank-shared"),
        _enroll(5, "D6", "D4", "bank-6"),
        _enroll(6, "D7", "D5", "bank-7"),
        make_event(
            10,
            event__id="login-d4",
            user__id="D4",
            user__name="dora.d4@example.net",
            source__ip="198.51.100.44",
            mlm__device__id="dev-44",
        ),
        make_event(11, event__id="login-x", user__id="D9", user__name="other", source__ip="198.51.100.44"),
        make_event(
            12,
            event__id="pay-d8",
            event__dataset="mlm.commerce",
            event__action="payout_requested",
            user__id="D8",
            mlm__distributor__id="D8",
            mlm__bank__fingerprint="bank-shared",
            source__ip="192.0.2.8",
        ),
    ]
    ctx.store.write_events(events)


def test_mlm_neighbourhood(app, ctx):
    _world(ctx)
    ctx.store.write_alerts(
        [make_alert(20, entity_value="D4", category="commission_fraud", event_ids=["login-d4", "enr-D4"])]
    )
    app.state.worker.drain()
    inv = investigate(ctx, 1)
    assert inv.is_mlm and inv.sponsors == ["D3", "D2", "D1"]
    assert inv.direct_recruits == 2 and inv.second_level == 1
    linked = {la.account: la.kinds for la in inv.linked}
    assert linked["D5"] == ["bank"] and linked["D8"] == ["bank"] and linked["D9"] == ["ip"]
    assert "D6" not in linked  # gmail.com is common: no link by domain
    assert {e.id for e in inv.evidence} == {"login-d4", "enr-D4"}
    login = next(e for e in inv.evidence if e.id == "login-d4")
    assert login.user == "d***@example.net"
    assert inv.graph is not None and len(inv.graph.nodes) == 1 + 3 + len(inv.linked) + 1


def test_investigation_page_renders_svg(app, ctx, client_for):
    _world(ctx)
    ctx.store.write_alerts([make_alert(20, entity_value="D4", event_ids=["login-d4"])])
    app.state.worker.drain()
    page = client_for("viewer").get("/incidents/1/investigate").text
    assert '<svg class="chart" id="entity-graph"' in page and "D3 → D2 → D1" in page
    assert "dora.d4" not in page


def test_ip_entity_has_activity_but_no_mlm_panel(app, ctx, client_for):
    _world(ctx)
    ctx.store.write_alerts(
        [make_alert(20, entity_type="ip", entity_value="198.51.100.44", event_ids=["login-x"])]
    )
    app.state.worker.drain()
    inv = investigate(ctx, 1)
    assert not inv.is_mlm and {e.id for e in inv.activity} == {"login-d4", "login-x"}
