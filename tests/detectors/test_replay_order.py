"""The replay's reorder window gives exactly the order of the bounded heap it replaced.

Reference: push each line into a heap of at most `reorder` entries keyed by (time, input position)
and release the smallest when it is full; events older than the newest released count as late.
"""

from __future__ import annotations

import heapq
import random

import orjson
import pytest
from builders import make_event_dict

from core.event import Event
from detectors.replay import ReadStats, events_in_time_order


def _reference(lines: list[bytes], reorder: int) -> tuple[list[str], int]:
    heap: list[tuple[float, int, str]] = []
    out: list[tuple[float, str]] = []
    for seq, line in enumerate(lines):
        event = Event.from_json(line)
        entry = (event.ts, seq, event.id)
        if len(heap) < reorder:
            heapq.heappush(heap, entry)
        else:
            ts, _, eid = heapq.heappushpop(heap, entry)
            out.append((ts, eid))
    out += [(ts, eid) for ts, _, eid in sorted(heap)]
    late, newest = 0, float("-inf")
    for ts, _ in out:
        if ts < newest:
            late += 1
        newest = max(newest, ts)
    return [eid for _, eid in out], late


def _lines(rng: random.Random, n: int) -> list[bytes]:
    """Nearly sorted events with ties, local swaps, a few far jumps and other line layouts."""
    times = sorted(rng.choice([rng.randint(0, 5000), rng.randint(0, 5000) / 7]) for _ in range(n))
    for k in range(n - 1):
        roll = rng.random()
        if roll < 0.2:
            j = min(n - 1, k + rng.randint(1, 6))
            times[k], times[j] = times[j], times[k]
        elif roll < 0.23:
            times[k] = rng.randint(0, 5000)  # far out of place
    lines = []
    for i, t in enumerate(times):
        doc = make_event_dict(t, event__id=f"e{i}")
        raw = orjson.dumps(doc)
        layout = rng.random()
        if layout < 0.1:  # the time not first: found by search
            raw = orjson.dumps({"event": doc.pop("event"), **doc})
        elif layout < 0.15:  # an escaped time: only the parser reads it
            raw = raw.replace(b'"@timestamp":"2', b'"@timestamp":"\\u0032')
        elif layout < 0.2:  # an offset instead of Z
            stamp = doc["@timestamp"].replace("Z", "+00:00")
            raw = orjson.dumps({**doc, "@timestamp": stamp})
        lines.append(raw)
    return lines


@pytest.mark.parametrize("seed", range(6))
def test_window_order_equals_the_bounded_heap(tmp_path, seed):
    rng = random.Random(seed)
    lines = _lines(rng, rng.randint(200, 1200))
    path = tmp_path / "events.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    for reorder in (0, 1, 3, 17, 100, 5000):
        stats = ReadStats(str(path))
        got = [e.id for e in events_in_time_order(path, stats, reorder=reorder)]
        expected, late = _reference(lines, reorder)
        assert got == expected, (seed, reorder)
        assert (stats.events, stats.late, stats.bad) == (len(lines), late, 0)


def test_window_releases_lines_and_compacts(tmp_path):
    """A long sorted stream through a small window: the order holds across compactions."""
    lines = [orjson.dumps(make_event_dict(i / 3, event__id=f"s{i}")) for i in range(20_000)]
    path = tmp_path / "sorted.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    stats = ReadStats(str(path))
    assert [e.id for e in events_in_time_order(path, stats, reorder=50)] == [f"s{i}" for i in range(20_000)]
    assert stats.late == 0


def test_lines_with_a_readable_time_but_a_refused_event_are_bad_lines_in_place(tmp_path):
    """Such lines wait in the window like any other and are refused when they leave it: counted and
    reported with their own line numbers and reasons; the good events keep their time order."""
    good = [orjson.dumps(make_event_dict(i * 10, event__id=f"g{i}")) for i in range(6)]
    stamp = make_event_dict(25)["@timestamp"]
    refused = [
        b'{"@timestamp":"' + stamp.encode() + b'","event":{"id":"x1","action":"login"}}',  # no dataset
        b'{"@timestamp":"' + stamp.encode() + b'","event":{"id":"x2"',  # cut short: not JSON
        b'{"@timestamp":"' + stamp.encode() + b'","event":{"id":"x3","dataset":"mlm.auth","action":"  "}}',
    ]
    path = tmp_path / "mixed.ndjson"
    path.write_bytes(b"\n".join([good[3], *refused, good[1], good[0], good[2], good[5], good[4]]) + b"\n")
    for reorder in (0, 2, 100):
        stats = ReadStats(str(path))
        got = [e.id for e in events_in_time_order(path, stats, reorder=reorder)]
        assert sorted(got) == [f"g{i}" for i in range(6)]
        if reorder == 100:
            assert got == [f"g{i}" for i in range(6)] and stats.late == 0
        assert (stats.events, stats.bad, stats.lines) == (6, 3, 9)
        reasons = {message.split(":")[1]: message for message in stats.bad_examples}
        assert set(reasons) == {"2", "3", "4"}
        assert "event.dataset" in reasons["2"] and "JSON" in reasons["3"] and "event.action" in reasons["4"]
