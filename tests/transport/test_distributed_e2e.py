"""The distributed deployment end to end, on the real wire protocols (noida):

raw events → Kafka → collector (Kafka ingest) → Elasticsearch + `siem.events` → two detector
workers in one consumer group → alerts → Elasticsearch and `siem.alerts`. A brute force against
one account must give exactly one alert, although two workers share the stream. Then the scoped
layout of docker-compose.yml: two entity-scope members and one global member, each alert once.
"""

from __future__ import annotations

import time

import orjson
from builders import make_event_dict
from scoped_stream import BRUTE as BRUTE_RULE
from scoped_stream import MFA_BRUTE, STUFFING, attack_stream, entity_key
from services import drop_indices, new_elastic_store

from collector.kafka_ingest import KafkaIngest, KafkaIngestSettings
from core.alert import Alert
from core.bus import ALERTS_TOPIC
from core.store import EventQuery
from core.store.sqlite import SqliteStore
from detectors.base import DetectorConfig
from detectors.engine import Engine
from detectors.scope import build_engine
from detectors.worker import DetectorWorker

BRUTE = "3f6c1d2a-5b7e-4c19-9a01-6d0e1f2a0102"  # mlm_brute_force_user: 10 failures in 5 minutes


def wait_for(predicate, timeout=60.0) -> bool:  # generous: CI machines can be busy
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _split(held: list[set[int]]) -> bool:
    return all(held) and not held[0] & held[1]


def test_brute_force_through_kafka_collector_and_two_detectors_alerts_once(noida, kafka_bus, topic, tmp_path):
    store = new_elastic_store(noida)
    victim = f"amy-{topic.replace('.', '-')}"
    group = f"detectors-{topic}"
    workers = [DetectorWorker(kafka_bus, store, Engine.build(DetectorConfig(families=["sigma"])), group=group,
                              poll_timeout=0.2, idle_flush_seconds=0.2) for _ in range(2)]
    settings = KafkaIngestSettings(raw_topic=topic, group=f"collector-{topic}", dead_letter_topic=f"{topic}.dead")
    ingest = KafkaIngest.from_bus(kafka_bus, store, settings, tmp_path, retry_delay=0.05)
    try:
        for worker in workers:
            worker.start()
        # both members hold partitions before any event flows (no rebalance splits a window)
        assert wait_for(lambda: _split([w._consumer.assignment() for w in workers]))
        time.sleep(0.5)
        assert _split([w._consumer.assignment() for w in workers])
        failures = [make_event_dict(i * 7, event__outcome="failure", user__name=victim, user__id=f"id-{victim}",
                                    source__ip=f"198.51.100.{i % 4 + 1}", mlm__auth__failure_reason="bad_password")
                    for i in range(12)]
        others = [make_event_dict(i * 11, user__name=f"user{i}", user__id=f"d-{i}") for i in range(6)]
        lines = [orjson.dumps(e) for e in failures + others]
        kafka_bus.producer().publish(topic, [b"\n".join(lines[:9]), b"\n".join(lines[9:])], [b"a", b"b"])
        ingest.start()

        def brute_alerts() -> list[dict]:
            q = EventQuery(filters={"rule.id": [BRUTE], "entity.value": [f"id-{victim}"]})
            return store.search_alerts(q).items

        assert wait_for(lambda: brute_alerts())
        assert wait_for(lambda: kafka_bus.lag(topic, f"collector-{topic}") == 0)
        assert wait_for(lambda: kafka_bus.lag("siem.events", group) == 0)
        time.sleep(1.0)  # any duplicate would be written by now
        alerts = brute_alerts()
        assert len(alerts) == 1
        assert alerts[0]["event_ids"] == [e["event"]["id"] for e in failures[:10]]
        assert store.count_events(EventQuery(filters={"user.name": [victim]})) == 12
        assert sum(w.stats()["events"] for w in workers) >= 18
        published = []
        consumer = kafka_bus.consumer(ALERTS_TOPIC, f"check-{topic}")
        wait_for(lambda: published.extend(consumer.poll(timeout=0.3)) or any(
            Alert.from_json(m.value).id == alerts[0]["id"] for m in published), timeout=15)
        consumer.close()
        assert [Alert.from_json(m.value).rule_id for m in published
                if Alert.from_json(m.value).entity_value == f"id-{victim}"].count(BRUTE) == 1
    finally:
        ingest.stop()
        for worker in workers:
            worker.stop()
        drop_indices(store)
        store.close()


def test_entity_members_and_one_global_member_alert_once_each_through_kafka(noida, kafka_bus, topic, tmp_path):
    """Credential stuffing (18 users, 9 networks, spread over every partition), a password brute
    force and an MFA brute force: the global member sees the whole stream, each entity member its
    users; every alert is written exactly once. Two members that each run every detector (the
    layout before scopes, in a group of their own on the same stream) miss the stuffing."""
    store = new_elastic_store(noida)
    old_store = SqliteStore(str(tmp_path / "old.db"))
    stream = attack_stream(topic.replace(".", "-"))
    config = DetectorConfig(families=["sigma", "ato", "fraud", "flood"])  # no HTTP: injection would only watch
    workers = [DetectorWorker(kafka_bus, store, build_engine(config, scope), group=f"{group}-{topic}",
                              poll_timeout=0.2, idle_flush_seconds=0.2, topic=topic, whole_stream=scope == "global")
               for scope, group in (("entity", "detectors"), ("entity", "detectors"), ("global", "global"))]
    old = [DetectorWorker(kafka_bus, old_store, build_engine(config, "all"), group=f"old-{topic}", poll_timeout=0.2,
                          idle_flush_seconds=0.2, topic=topic) for _ in range(2)]
    try:
        for worker in workers + old:
            worker.start()
        held = lambda: [w._consumer.assignment() for w in workers + old]
        assert wait_for(lambda: _split(held()[:2]) and held()[2] == {0, 1, 2} and _split(held()[3:]))
        kafka_bus.producer().publish(topic, [orjson.dumps(e) for e in stream], [entity_key(e) for e in stream])
        rules = [BRUTE_RULE, MFA_BRUTE, STUFFING]

        def alerts() -> list[dict]:
            return store.search_alerts(EventQuery(filters={"rule.id": rules}, size=100)).items

        assert wait_for(lambda: len(alerts()) >= 3)
        for group in {w.group for w in workers + old}:
            assert wait_for(lambda group=group: kafka_bus.lag(topic, group) == 0)
        time.sleep(1.0)  # any duplicate would be written by now
        old_rules = sorted(a.rule_id for a in old_store.alerts_after(0)[0] if a.rule_id in rules)
        assert old_rules == sorted([BRUTE_RULE, MFA_BRUTE]), "each old member saw too little to see stuffing"
        found = sorted((a["rule"]["id"], a["entity"]["value"]) for a in alerts())
        tag = topic.replace(".", "-")
        assert found == sorted([(BRUTE_RULE, f"id-amy-{tag}"), (MFA_BRUTE, f"id-bob-{tag}"), (STUFFING, "mlm_app")])
        # whatever detectors alerted, none was produced by two members (the store keeps one per id)
        stored = store.search_alerts(EventQuery(size=100)).items
        assert sum(w.alerts_written for w in workers) == len(stored)
        assert workers[0].stats()["events"] + workers[1].stats()["events"] == len(stream)
        assert workers[2].stats()["events"] == len(stream)
        assert workers[0].stats()["events"] and workers[1].stats()["events"]
        assert workers[2].stats()["partitions"] == {"held": [0, 1, 2], "total": 3}
        assert not workers[2].stats()["whole_stream_lost"]
        # A second global member would take part of the stream: both say so (serve-detectors: 503).
        workers.append(DetectorWorker(kafka_bus, store, build_engine(DetectorConfig(families=["flood"]), "global"),
                                      group=workers[2].group, poll_timeout=0.2, topic=topic, whole_stream=True))
        workers[3].start()
        # A rebalance on a loaded machine can sit out one 30 s Kafka request timeout or two.
        assert wait_for(lambda: workers[2].stats()["whole_stream_lost"] and workers[3].stats()["whole_stream_lost"],
                        timeout=150.0)
    finally:
        for worker in workers + old:
            worker.stop()
        drop_indices(store)
        store.close()
        old_store.close()
