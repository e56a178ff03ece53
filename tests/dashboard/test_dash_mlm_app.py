"""The response seam against the real MLM app (mlm_app.main.create_app served over HTTP)."""

from __future__ import annotations

from dash_browser import LiveServer
from dash_kit import FAST_HASH, FakeClock, make_alert

from dashboard.analysts.schemas import Principal
from dashboard.main import create_app
from dashboard.models import ResponseAction
from dashboard.response.service import revert
from dashboard.settings import DashboardSettings
from mlm_app.main import create_app as create_mlm_app
from mlm_app.settings import AppSettings

TOKEN = "shared-response-token-0123456789"
POLICY = """
profiles:
  - name: block_flooders
    filters: [{field: category, eq: traffic_flood}, {field: entity.type, eq: ip}]
    decisions: [{action: block_ip, duration: 1h}]
    mode: auto
"""


def test_policy_blocks_and_reverts_an_ip_on_the_real_app(tmp_path):
    mlm = LiveServer(
        create_mlm_app(AppSettings(data_dir=tmp_path / "app", shipper="off", response_token=TOKEN))
    )
    (tmp_path / "policy.yml").write_text(POLICY)
    settings = DashboardSettings(
        data_dir=tmp_path / "dash",
        worker_enabled=False,
        secret_key="dash-secret-0123456789",
        app_url=mlm.url,
        response_token=TOKEN,
        response_policy=tmp_path / "policy.yml",
        **FAST_HASH,
    )
    app = create_app(settings, clock=FakeClock())
    ctx = app.state.ctx
    try:
        ctx.store.write_alerts(
            [make_alert(0, category="traffic_flood", entity_type="ip", entity_value="198.51.100.23")]
        )
        app.state.worker.drain()
        with ctx.db.session() as db:
            row = db.query(ResponseAction).one()
            assert (row.action, row.status, row.error) == ("block_ip", "done", "")
            assert (row.revert_action, row.revert_target) == ("unblock_ip", "198.51.100.23")
            rid = row.id
        revert(ctx, Principal("soc", "responder"), rid)
        with ctx.db.session() as db:
            assert db.get(ResponseAction, rid).status == "reverted"
    finally:
        ctx.close()
        mlm.stop()
