"""Finance staff over HTTP: run a period (idempotent), approve and send a payout, read reports."""

from bizhttp import grow, ready
from bizworld import NOW
from mlmapp_helpers import csrf, signed_in

from mlm_app.business.commissions.models import CommissionRun
from mlm_app.business.payouts.models import Payout
from mlm_app.db import transaction


def test_finance_runs_commissions_and_decides_payouts(harness):
    ids = grow(harness.app, harness.events)
    ready(harness, ids["bob"])
    client, _, _ = signed_in(harness, "fiona.finance", role="finance")
    token = csrf(client, "/admin/commissions")
    for _ in range(2):
        assert client.post("/admin/commissions/run", data={"csrf_token": token, "period": "2026-11"}).status_code == 303
    with transaction(harness.app.state.db_factory) as s:
        runs = s.query(CommissionRun).all()
        assert [(r.period, r.status) for r in runs] == [("2026-11", "success")]
    assert "2026-11" in client.get("/admin/commissions").text
    bad = client.post("/admin/commissions/run", data={"csrf_token": token, "period": "2026-13' OR 1=1"})
    assert bad.status_code == 422
    assert "PBOB0001" in client.get("/admin/payouts").text
    for decision in ("approve", "send"):
        assert client.post(f"/payouts/PBOB0001/{decision}", data={"csrf_token": token}).status_code == 303
    with transaction(harness.app.state.db_factory) as s:
        assert s.get(Payout, "PBOB0001").status == "sent"
    assert [e["event"]["action"] for e in harness.events if e["event"]["action"] in ("payout_approved", "payout_sent")] \
        == ["payout_approved", "payout_sent"]
    assert client.post("/payouts/PBOB0001/approve", data={"csrf_token": token}).status_code == 409
    report = client.get("/admin/reports").text
    assert "5 distributors" in report and NOW.strftime("%Y-%m") in report


def test_support_staff_cannot_decide_money(harness):
    ids = grow(harness.app, harness.events)
    client, _, _ = signed_in(harness, "sam.support", role="support")
    token = csrf(client, "/admin/reports")
    before = len(harness.find("mlm.audit", "access_denied"))
    assert client.post("/payouts/PBOB0001/approve", data={"csrf_token": token}).status_code == 404
    assert client.post("/admin/commissions/run", data={"csrf_token": token, "period": "2026-11"}).status_code == 404
    assert len(harness.find("mlm.audit", "access_denied")) == before + 2
    assert ids["bob"] in client.get(f"/distributors/{ids['bob']}").text  # support may read profiles
