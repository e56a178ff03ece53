"""The dashboard over the distributed store: Elasticsearch wire protocol (noida-db stand-in)."""

from __future__ import annotations

import uuid

from builders import make_event
from dash_kit import FAST_HASH, FakeClock, make_alert

from core.store.elastic import ElasticStore
from core.store.elastic_bulk import BulkPolicy
from dashboard.incidents.investigation import investigate
from dashboard.incidents.schemas import IncidentFilter
from dashboard.incidents.service import list_incidents
from dashboard.main import create_app
from dashboard.search.service import search
from dashboard.settings import DashboardSettings


def test_incidents_search_and_investigation_on_elasticsearch(noida, tmp_path):
    prefix = f"dash{uuid.uuid4().hex[:8]}"
    store = ElasticStore(
        noida.es_url, prefix=prefix, tail_settle_seconds=0, bulk=BulkPolicy(refresh="wait_for")
    )
    settings = DashboardSettings(
        data_dir=tmp_path,
        worker_enabled=False,
        secret_key="es-secret-0123456789",
        store_url=noida.es_url,
        **FAST_HASH,
    )
    app = create_app(settings, clock=FakeClock(), store=store)
    ctx = app.state.ctx
    try:
        store.write_events(
            [
                make_event(
                    i, event__id=f"es-{i}", user__name="amy", user__id="amy", source__ip="198.51.100.5"
                )
                for i in range(3)
            ]
        )
        store.write_alerts(
            [
                make_alert(0, event_ids=["es-0", "es-1"]),
                make_alert(60, event_ids=["es-2"]),
                make_alert(90, entity_value="bob", event_ids=[]),
            ]
        )
        assert app.state.worker.drain() == 3
        rows = list_incidents(ctx, IncidentFilter(status="all")).rows
        assert sorted(r.alert_count for r in rows) == [1, 2]
        result = search(ctx, "user.name:amy")
        assert result.total == 3 and result.chart is not None and not result.error
        amy = next(r for r in rows if r.entity_value == "amy")
        inv = investigate(ctx, amy.id)
        assert {e.id for e in inv.evidence} == {"es-0", "es-1", "es-2"} and len(inv.activity) == 3
    finally:
        ctx.close()
