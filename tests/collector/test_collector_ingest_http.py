"""POST /v1/events end to end: accepted events reach the store and the bus; bad input gets reasons."""

from __future__ import annotations

import gzip

import orjson
from builders import make_event_dict
from collector_testkit import ndjson, post, published, wait_drained

from core.store import EventQuery


def test_batch_is_stored_and_published_keyed_by_entity(client, token, store, bus):
    events = [make_event_dict(i, user__id=f"u{i % 3}") for i in range(30)]
    events.append(make_event_dict(99, source__ip="198.51.100.7"))  # no user.id: keyed by IP
    answer = post(client, token, ndjson(events))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"accepted": 31, "rejected": []}
    wait_drained(client)
    assert store.count_events(EventQuery()) == 31
    on_bus = published(bus)
    assert sorted(e["event"]["id"] for _, e in on_bus) == sorted(e["event"]["id"] for e in events)
    for key, event in on_bus:
        expected = event.get("user", {}).get("id") or event["source"]["ip"]
        assert key == expected.encode()


def test_good_lines_are_kept_when_other_lines_are_bad(client, token, store):
    good = [make_event_dict(i) for i in range(3)]
    body = b"\n".join([
        orjson.dumps(good[0]),
        b"{not json",
        orjson.dumps(good[1]),
        orjson.dumps(make_event_dict(**{"@timestamp": None})),
        b"",  # blank lines are skipped but still counted
        orjson.dumps(good[2]),
    ])
    answer = post(client, token, body)
    assert answer.status_code == 200
    result = answer.json()
    assert result["accepted"] == 3
    assert [r["line"] for r in result["rejected"]] == [2, 4]
    assert "not valid JSON" in result["rejected"][0]["reason"]
    assert "@timestamp" in result["rejected"][1]["reason"]
    wait_drained(client)
    assert {e["event"]["id"] for e in store.get_events([e["event"]["id"] for e in good])} == {
        e["event"]["id"] for e in good
    }


def test_json_array_body(client, token, store):
    events = [make_event_dict(i) for i in range(5)]
    answer = post(client, token, orjson.dumps(events), content_type="application/json")
    assert answer.json() == {"accepted": 5, "rejected": []}
    single = make_event_dict(9)
    answer = post(client, token, orjson.dumps(single), content_type="application/json; charset=utf-8")
    assert answer.json() == {"accepted": 1, "rejected": []}
    wait_drained(client)
    assert store.count_events(EventQuery()) == 6


def test_byte_order_mark_and_crlf_are_tolerated(client, token):
    body = b"\xef\xbb\xbf" + ndjson([make_event_dict(1), make_event_dict(2)]).replace(b"\n", b"\r\n")
    assert post(client, token, body).json() == {"accepted": 2, "rejected": []}


def test_gzip_body(client, token, store):
    events = [make_event_dict(i) for i in range(50)]
    answer = post(client, token, gzip.compress(ndjson(events)), content_encoding="gzip")
    assert answer.json() == {"accepted": 50, "rejected": []}
    wait_drained(client)
    assert store.count_events(EventQuery()) == 50


def test_gzip_bomb_is_refused_without_inflating_it(client, token, settings):
    bomb = gzip.compress(b"\n" * (settings.max_body_bytes + 1), compresslevel=9)
    assert len(bomb) < 100_000
    answer = post(client, token, bomb, content_encoding="gzip")
    assert answer.status_code == 413
    assert "decompressed body larger" in answer.json()["error"]


def test_broken_gzip_is_a_400(client, token):
    answer = post(client, token, b"\x1f\x8b\x08\x00garbage", content_encoding="gzip")
    assert answer.status_code == 400
    assert "gzip" in answer.json()["error"]


def test_unsupported_content_type_is_415(client, token):
    answer = post(client, token, ndjson([make_event_dict()]), content_type="application/xml")
    assert answer.status_code == 415
    assert "content type" in answer.json()["error"]


def test_unsupported_content_encoding_is_415(client, token):
    answer = post(client, token, ndjson([make_event_dict()]), content_encoding="br")
    assert answer.status_code == 415


def test_body_over_the_limit_is_413(client, token, settings):
    answer = post(client, token, b"x" * (settings.max_body_bytes + 1))
    assert answer.status_code == 413
    assert "body larger" in answer.json()["error"]


def test_too_many_lines_is_413(client, token, settings):
    answer = post(client, token, b"{}\n" * settings.max_lines)
    assert answer.status_code == 413
    assert "lines" in answer.json()["error"]


def test_empty_body_is_400(client, token):
    assert post(client, token, b"").status_code == 400
    answer = post(client, token, b"\n \n\r\n")
    assert answer.status_code == 400
    assert "no events" in answer.json()["error"]


def test_health_needs_no_token_and_reports_backlog(client, token, store):
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "spool_backlog_bytes": 0, "queued_batches": 0}
    post(client, token, ndjson([make_event_dict(1)]))
    wait_drained(client)
    assert store.count_events(EventQuery()) == 1


def test_health_is_503_when_the_pipeline_is_not_running(app):
    from fastapi.testclient import TestClient

    client = TestClient(app)  # no lifespan: the drainer never started
    answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.json()["status"] == "stopped"


def test_enrichment_and_ingest_time_from_the_injected_clock(client, token, store):
    event = make_event_dict(source__ip="8.8.8.8", event__id="geo-1")
    event["source"]["geo"] = {"country_iso_code": "XX"}  # a client cannot vouch for enrichment
    event["event"]["ingested"] = "1999-01-01T00:00:00Z"
    assert post(client, token, ndjson([event])).json()["accepted"] == 1
    wait_drained(client)
    [stored] = store.get_events(["geo-1"])
    assert stored["source"]["geo"]["country_iso_code"] == "US"
    assert stored["source"]["as"]["organization"]["name"]
    assert stored["event"]["ingested"] == "2026-11-02T10:00:00.000Z"
