import threading

import pytest

from builders import make_event
from core.alert import Alert
from core.bus.memory import MemoryBus
from core.bus.base import BusFull
from core.event import EventError
from core.store import EventQuery
from core.store.sqlite import SqliteStore
from core.tokens import TokenStore


def make_alert(**kw):
    base = dict(rule_id="r1", rule_name="Rule", category="account_takeover", severity="high",
                risk_score=70, entity_type="user", entity_value="amy",
                timestamp="2026-11-02T09:00:00Z", event_ids=["e1"], summary="s")
    base.update(kw)
    return Alert(**base)


def test_alert_ids_are_deterministic_and_round_trip():
    a, b = make_alert(), make_alert()
    assert a.id == b.id
    assert make_alert(entity_value="bob").id != a.id
    again = Alert.from_json(a.to_json())
    assert again == a
    assert a.to_dict()["rule"] == {"id": "r1", "name": "Rule"}


def test_alert_validation_and_evidence_cap():
    with pytest.raises(EventError):
        make_alert(severity="urgent")
    with pytest.raises(EventError):
        make_alert(risk_score=101)
    alert = make_alert(event_ids=[f"e{i}" for i in range(250)])
    assert len(alert.event_ids) == 100 and alert.event_ids[-1] == "e249"


def test_memory_bus_redelivers_uncommitted_and_trims_committed():
    bus = MemoryBus(capacity=10, put_timeout=0.05)
    consumer = bus.consumer("t", "g")
    bus.producer().publish("t", [b"a", b"b"])
    assert [m.value for m in consumer.poll()] == [b"a", b"b"]
    again = bus.consumer("t", "g")  # a restarted member starts from the committed offset
    assert [m.value for m in again.poll()] == [b"a", b"b"]
    again.commit()
    assert bus.lag("t", "g") == 0
    bus.producer().publish("t", [b"x"] * 10)
    with pytest.raises(BusFull):
        bus.producer().publish("t", [b"y"])


def test_memory_bus_poll_wakes_on_publish():
    bus = MemoryBus()
    consumer = bus.consumer("t", "g")
    threading.Timer(0.05, lambda: bus.producer().publish("t", [b"z"])).start()
    assert [m.value for m in consumer.poll(timeout=5)] == [b"z"]


def test_sqlite_store_dedupes_filters_and_pages(tmp_path):
    store = SqliteStore(tmp_path / "e.db")
    events = [make_event(i, user__name=f"u{i % 3}") for i in range(25)]
    assert store.write_events(events).stored == 25
    assert store.write_events(events[:5]).duplicates == 5
    page = store.search_events(EventQuery(filters={"user.name": ["u1"]}, size=3))
    seen = [e["event"]["id"] for e in page.items]
    while page.next_cursor:
        page = store.search_events(EventQuery(filters={"user.name": ["u1"]}, size=3, cursor=page.next_cursor))
        seen += [e["event"]["id"] for e in page.items]
    assert seen == [e.id for e in reversed(events) if e.get("user.name") == "u1"]
    assert store.count_events(EventQuery(filters={"event.outcome": ["success"]})) == 25
    assert store.top_values(EventQuery(), "user.name", 2)[0][1] == 9


def test_sqlite_store_tails_alerts(tmp_path):
    store = SqliteStore(tmp_path / "e.db")
    store.write_alerts([make_alert(), make_alert(entity_value="bob")])
    alerts, cursor = store.alerts_after(0)
    assert [a.entity_value for a in alerts] == ["amy", "bob"]
    assert store.alerts_after(cursor) == ([], cursor)


def test_tokens_are_hashed_kind_bound_and_revocable(tmp_path):
    tokens = TokenStore(tmp_path / "t.db")
    token = tokens.create("ingest", "app")
    assert tokens.verify("ingest", token).name == "app"
    assert tokens.verify("api", token) is None
    assert token not in (tmp_path / "t.db").read_bytes().decode("latin-1")
    new = tokens.rotate("ingest", "app")
    assert tokens.verify("ingest", token) is None and tokens.verify("ingest", new)


def test_sqlite_store_commits_are_synced_to_disk(tmp_path):
    # Accepted means durable: the collector discards its spool once the store has committed.
    store = SqliteStore(tmp_path / "e.db")
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
