"""Elasticsearch store specifics against noida: mappings, daily indices, quarantine, retries, tailing."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from builders import T0, make_event
from elasticsearch import ConnectionError as EsConnectionError
from services import drop_indices, new_elastic_store
from test_parity import _alert

from core.schema import FIELDS
from core.store import EventQuery, open_store
from core.store import elastic_mapping as layout
from core.store.elastic import ElasticStore, StoreUnavailable
from core.store.elastic_bulk import BulkPolicy

ES_TYPES = {"keyword": "keyword", "keyword[]": "keyword", "text": "keyword", "ip": "ip", "date": "date",
            "long": "long", "number": "double", "bool": "boolean"}


def _lookup(props, dotted):
    node = {"properties": props}
    for part in dotted.split("."):
        node = node["properties"][part]
    return node


def test_every_contract_field_has_an_explicit_mapping_in_daily_indices(elastic_store):
    elastic_store.write_events([make_event(0), make_event(86400 + 5)])
    names = sorted(elastic_store._client.indices.get(index=elastic_store.events_pattern))
    assert names == [f"{elastic_store.prefix}-events-2026.11.02", f"{elastic_store.prefix}-events-2026.11.03"]
    props = elastic_store._client.indices.get_mapping(index=names[0])[names[0]]["mappings"]["properties"]
    for name, kind in FIELDS.items():
        assert _lookup(props, name)["type"] == ES_TYPES[kind], name
    assert _lookup(props, "url.query")["fields"]["text"]["analyzer"] == "mlm_words"
    assert _lookup(props, "user.name")["fields"]["text"]["type"] == "text"


def test_rejected_documents_are_quarantined_with_reason_and_the_rest_stored(elastic_store):
    good, clash, later = make_event(1, foo="text"), make_event(2, foo={"nested": 1}), make_event(3)
    result = elastic_store.write_events([good, clash, later])
    assert result.stored == 2 and result.duplicates == 0
    assert [i for i, _ in result.rejected] == [clash.id]
    assert "foo" in result.rejected[0][1]
    hits = elastic_store._client.search(index=elastic_store.quarantine_index)["hits"]["hits"]
    assert [(h["_source"]["id"], h["_source"]["kind"]) for h in hits] == [(clash.id, "event")]
    assert hits[0]["_source"]["original"]["foo"] == {"nested": 1}
    assert elastic_store.count_events(EventQuery()) == 2


class Flaky:
    """Wraps the real client: the first bulk fails to connect, the second answers 429 for half."""

    def __init__(self, real):
        self.real, self.calls = real, 0

    def bulk(self, operations, **kwargs):
        self.calls += 1
        if self.calls == 1:
            raise EsConnectionError("connection refused")
        if self.calls == 2:
            pairs = list(zip(operations[::2], operations[1::2]))
            keep = pairs[: len(pairs) // 2]
            answer = self.real.bulk(operations=[x for p in keep for x in p], **kwargs)
            busy = {"create": {"status": 429, "error": {"type": "es_rejected_execution_exception"}}}
            return {"errors": True, "items": answer["items"] + [busy] * (len(pairs) - len(keep))}
        return self.real.bulk(operations=operations, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_bulk_retries_connection_errors_and_busy_items_with_backoff(noida):
    sleeps = []
    store = new_elastic_store(noida, bulk=BulkPolicy(refresh="wait_for", backoff=0.1, sleep=sleeps.append))
    store._client = Flaky(store._client)
    try:
        events = [make_event(i) for i in range(6)]
        result = store.write_events(events)
        assert (result.stored, result.duplicates, result.rejected) == (6, 0, [])
        assert sleeps == [0.1, 0.2]
        assert store.count_events(EventQuery()) == 6
    finally:
        store._client = store._client.real
        drop_indices(store)
        store.close()


def test_unreachable_cluster_raises_instead_of_acknowledging(noida):
    store = ElasticStore("http://127.0.0.1:9", prefix="down", bulk=BulkPolicy(attempts=3, sleep=lambda s: None))
    store._ready = True  # skip setup: the point is the write path
    with pytest.raises(StoreUnavailable):
        store.write_events([make_event(0)])


def test_ilm_is_used_where_it_exists_and_tolerated_where_missing(noida):
    store = new_elastic_store(noida, retention_days=30)
    store.setup()
    assert store.ilm_enabled is False  # noida has no ILM API
    drop_indices(store)
    store.close()
    template = layout.events_template("p", "p-events")
    assert template["template"]["settings"]["lifecycle"] == {"name": "p-events"}
    assert "lifecycle" not in layout.events_template("p", None)["template"]["settings"]
    assert layout.ilm_policy(30)["phases"]["delete"]["min_age"] == "30d"


def test_alert_tailing_holds_back_alerts_younger_than_the_settle_time(noida):
    now = [T0.timestamp()]
    store = new_elastic_store(noida, tail_settle_seconds=2.0, clock=lambda: now[0])
    try:
        store.write_alerts([_alert(0), _alert(1)])
        assert store.alerts_after(0) == ([], 0)
        now[0] += 3
        alerts, _ = store.alerts_after(0)
        assert [a.id for a in alerts] == [_alert(0).id, _alert(1).id]
        assert "mlm_store" not in alerts[0].extra
        assert store.write_alerts([_alert(0)]).duplicates == 1
    finally:
        drop_indices(store)
        store.close()


def test_open_store_reads_options_from_the_url(noida):
    store = open_store(f"{noida.es_url}?prefix=urlopt&retention_days=7")
    assert isinstance(store, ElasticStore)
    assert (store.prefix, store.retention_days) == ("urlopt", 7)
    store.clock = lambda: T0.timestamp()  # the write's own retention sweep must keep the event
    store.write_events([make_event(0)])
    assert store.enforce_retention(T0 + timedelta(days=8)) == 1
    drop_indices(store)
    store.close()


def test_credentials_in_the_url_become_basic_auth_and_leave_the_host():
    import base64

    store = ElasticStore("https://elastic:p%40ss@es.example:9243?prefix=x")
    assert store._client._headers["authorization"] == "Basic " + base64.b64encode(b"elastic:p@ss").decode()
    assert [str(n.config.host) for n in store._client.transport.node_pool.all()] == ["es.example"]
    store.close()


def test_without_ilm_writes_drop_expired_daily_indices(noida):
    now = T0.timestamp() + 3 * 86400
    store = new_elastic_store(noida, retention_days=2, clock=lambda: now)
    try:
        store.write_events([make_event(0), make_event(3 * 86400)])
        assert store.ilm_enabled is False
        assert sorted(store._client.indices.get(index=store.events_pattern)) == [
            f"{store.prefix}-events-2026.11.05"]
        assert store.count_events(EventQuery()) == 1
    finally:
        drop_indices(store)
        store.close()


class SecondRequestDown:
    """Counts bulk requests; the second one fails to connect once."""

    def __init__(self, real):
        self.real, self.sizes = real, []

    def bulk(self, operations, **kwargs):
        self.sizes.append(len(operations) // 2)
        if len(self.sizes) == 2:
            raise EsConnectionError("connection reset")
        return self.real.bulk(operations=operations, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_large_writes_go_in_chunks_and_only_a_failed_chunk_is_resent(noida, monkeypatch):
    monkeypatch.setattr("core.store.elastic_bulk._MAX_DOCS", 3)
    store = new_elastic_store(noida)
    store.setup()
    proxy = store._client = SecondRequestDown(store._client)
    try:
        result = store.write_events([make_event(i) for i in range(7)])
        assert (result.stored, result.duplicates) == (7, 0)  # nothing sent twice
        assert proxy.sizes == [3, 3, 1, 3]
    finally:
        store._client = proxy.real
        drop_indices(store)
        store.close()


def test_sealed_events_are_sent_as_their_bytes_without_parsing_them_again(elastic_store):
    event = make_event(1, url__path="/sealed/path")
    sealed = event.seal()
    assert elastic_store.write_events([event]).stored == 1
    assert event._doc is None  # the nested document was never rebuilt from the bytes
    stored = elastic_store.get_events([event.id])
    assert stored == [orjson.loads(sealed)]
