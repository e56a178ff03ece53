"""Thousands of malformed bodies: every answer is 2xx or 4xx with reasons, never a 500."""

from __future__ import annotations

import gzip
import json

from builders import make_event_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.schema import FIELDS

BASE_EVENT = make_event_dict(event__id="fuzz-base", user__id="fuzz-user")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _dumps(value: object) -> bytes:
    """The stdlib encoder: it also writes what strict parsers refuse (NaN, huge integers, lone surrogates)."""
    return json.dumps(value).encode()


@st.composite
def mutated_events(draw) -> bytes:
    """A valid event with a few contract fields replaced (flat dotted keys) by arbitrary JSON."""
    event: dict = dict(BASE_EVENT)
    for name in draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=3)):
        event[name] = draw(json_values)
    return _dumps(event)


lines = st.one_of(
    st.binary(max_size=300).map(lambda b: b.replace(b"\n", b" ")),
    json_values.map(_dumps),
    mutated_events(),
    st.just(_dumps(BASE_EVENT)),
)
content_types = st.sampled_from([
    "application/x-ndjson", "application/x-ndjson", "application/x-ndjson; charset=utf-8", "application/json",
    "application/json", "APPLICATION/JSON", "text/plain", "", "application/xml", "text/html", "a/b/c;;;", "\t",
])
encodings = st.sampled_from(["", "gzip", "identity", "deflate"])


@settings(max_examples=1500, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(body_lines=st.lists(lines, max_size=8), as_array=st.booleans(), content_type=content_types,
       encoding=encodings, compress=st.booleans())
def test_malformed_bodies_get_4xx_with_reasons(client, token, body_lines, as_array, content_type, encoding,
                                               compress):
    body = b"[" + b",".join(body_lines) + b"]" if as_array else b"\n".join(body_lines)
    if compress:
        body = gzip.compress(body, compresslevel=1)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
    if encoding:
        headers["Content-Encoding"] = encoding
    answer = client.post("/v1/events", content=body, headers=headers)
    assert answer.status_code in (200, 400, 413, 415), answer.text
    result = answer.json()
    assert isinstance(result["accepted"], int)
    for rejection in result["rejected"]:
        assert isinstance(rejection["line"], int) and rejection["line"] >= 1
        assert isinstance(rejection["reason"], str) and rejection["reason"]
    if answer.status_code == 200:
        assert result["accepted"] >= 1
    else:
        assert result["accepted"] == 0
        assert result.get("error") or result["rejected"]
    assert "Traceback" not in answer.text
