"""Each bad input of the walking-skeleton issue: a 4xx with a reason naming the line, never a 500."""

from __future__ import annotations

import orjson
from builders import make_event_dict
from collector_testkit import ndjson, post

from core.store import EventQuery


def _only_rejection(answer) -> dict:
    body = answer.json()
    assert body["accepted"] == 0
    [rejection] = body["rejected"]
    return rejection


def test_not_json(client, token):
    answer = post(client, token, b"this is not json\n")
    assert answer.status_code == 400
    rejection = _only_rejection(answer)
    assert rejection["line"] == 1
    assert "not valid JSON" in rejection["reason"]


def test_json_that_is_not_an_object(client, token):
    answer = post(client, token, b'[1, 2, 3]\n"text"\n')
    assert answer.status_code == 400
    reasons = answer.json()["rejected"]
    assert [r["line"] for r in reasons] == [1, 2]
    assert all("JSON object" in r["reason"] for r in reasons)


def test_wrong_types(client, token):
    bad = make_event_dict(http__response__status_code="four hundred", source__ip=12345)
    answer = post(client, token, ndjson([bad]))
    assert answer.status_code == 400
    reason = _only_rejection(answer)["reason"]
    assert "http.response.status_code" in reason or "source.ip" in reason


def test_missing_timestamp(client, token):
    answer = post(client, token, ndjson([make_event_dict(**{"@timestamp": None})]))
    assert answer.status_code == 400
    assert _only_rejection(answer)["reason"] == "@timestamp: required"


def test_ten_megabyte_line(client, token, store):
    huge = make_event_dict(message="x" * 10_000_000)
    answer = post(client, token, ndjson([huge]))
    assert answer.status_code == 413
    rejection = _only_rejection(answer)
    assert rejection["line"] == 1
    assert "larger than 1048576 bytes" in rejection["reason"]
    assert store.count_events(EventQuery()) == 0


def test_ten_megabyte_line_next_to_good_lines(client, token):
    body = ndjson([make_event_dict(1), make_event_dict(message="x" * 10_000_000), make_event_dict(2)])
    answer = post(client, token, body)
    assert answer.status_code == 200
    assert answer.json()["accepted"] == 2
    assert [r["line"] for r in answer.json()["rejected"]] == [2]


def test_deep_nesting(client, token):
    event = make_event_dict()
    node = event
    for _ in range(50):
        node["deeper"] = {}
        node = node["deeper"]
    node["leaf"] = 1
    answer = post(client, token, ndjson([event]))
    assert answer.status_code == 400
    assert "nested deeper than 8 levels" in _only_rejection(answer)["reason"]


def test_nesting_deeper_than_the_json_parser_allows(client, token):
    answer = post(client, token, b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"\n")
    assert answer.status_code == 400
    assert "not valid JSON" in _only_rejection(answer)["reason"]


def test_invalid_utf8(client, token):
    line = orjson.dumps(make_event_dict()).replace(b"Mozilla", b"Moz\xff\xfeilla")
    answer = post(client, token, line + b"\n")
    assert answer.status_code == 400
    assert "UTF-8" in _only_rejection(answer)["reason"] or "utf-8" in _only_rejection(answer)["reason"]


def test_lone_surrogate_escape(client, token):
    line = orjson.dumps(make_event_dict(user__name="PLACEHOLDER")).replace(b"PLACEHOLDER", b"\\ud800")
    answer = post(client, token, line)
    assert answer.status_code == 400
    assert _only_rejection(answer)["line"] == 1


def test_too_many_fields(client, token):
    event = make_event_dict()
    event["extra"] = {f"f{i}": i for i in range(600)}
    answer = post(client, token, ndjson([event]))
    assert answer.status_code == 400
    assert "more than 512 fields" in _only_rejection(answer)["reason"]


def test_no_token(client, token, store):
    answer = post(client, None, ndjson([make_event_dict()]))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "token" in answer.json()["error"]
    assert store.count_events(EventQuery()) == 0


def test_bad_token(client, token):
    assert post(client, token + "x", ndjson([make_event_dict()])).status_code == 401
    assert post(client, "", ndjson([make_event_dict()])).status_code == 401
    answer = client.post("/v1/events", content=ndjson([make_event_dict()]), headers={"Authorization": token})
    assert answer.status_code == 401  # no "Bearer" scheme


def test_api_token_is_not_an_ingest_token(client, tokens):
    api_token = tokens.create("api", "someone", role="admin")
    assert post(client, api_token, ndjson([make_event_dict()])).status_code == 401


def test_revoked_token(client, tokens, token):
    assert post(client, token, ndjson([make_event_dict()])).status_code == 200
    tokens.revoke("ingest", "test-source")
    assert post(client, token, ndjson([make_event_dict()])).status_code == 401
