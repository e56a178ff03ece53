"""The replay contract (EVENTS.md): event-time order, baseline warming, gzip, bad lines, determinism."""

from __future__ import annotations

import gzip
import random

import orjson
import pytest
from builders import make_event_dict

from core.alert import Alert
from detectors.sigma import PACKAGED_RULES
from mlm_siem.cli import main

RULES = ["--rules", str(PACKAGED_RULES)]
BRUTE = "3f6c1d2a-5b7e-4c19-9a01-6d0e1f2a0102"
SPRAY = "mlm-ato-password-spraying"  # the Sigma spray rule is deprecated: the ato family finds sprays


def stream(seed=5, n=1500):
    """A mixed, locally shuffled stream: benign traffic, one brute force, one spray, one big export."""
    rng = random.Random(seed)
    events = []
    for i in range(n):
        t = i * 2.0
        kind = rng.random()
        if kind < 0.5:
            events.append(make_event_dict(t, event__id=f"h{i}", event__dataset="mlm.http", event__action="http_request",
                                          url__path=f"/api/orders/{rng.randint(1, 99)}", user__id=str(rng.randint(1, 50))))
        elif kind < 0.9:
            user = rng.randint(1, 50)
            events.append(make_event_dict(t, event__id=f"l{i}", user__name=f"user{user}", source__ip=f"203.0.113.{user}",
                                          event__outcome=rng.choice(["success"] * 9 + ["failure"])))
        else:
            events.append(make_event_dict(t, event__id=f"x{i}", event__dataset="mlm.audit",
                                          event__action="data_exported", user__id="staff-1",
                                          **{"mlm.export.records": rng.choice([10, 50, 5000])}))
    for j in range(12):
        events.append(make_event_dict(1000 + j * 5, event__id=f"b{j}", event__outcome="failure", user__name="amy",
                                      user__id="amy", source__ip="192.0.2.50"))
        events.append(make_event_dict(2000 + j * 5, event__id=f"s{j}", event__outcome="failure",
                                      user__name=f"victim{j}", source__ip="198.51.100.9"))
    events.sort(key=lambda d: d["@timestamp"])
    # Local disorder, as from several collectors: swap neighbours.
    for k in range(0, len(events) - 1, 3):
        events[k], events[k + 1] = events[k + 1], events[k]
    return [orjson.dumps(e) for e in events]


BAD = [b"{not json", b'{"event": {"id": "no-time"}}', b"\xff\xfe\x00garbage", b'["an", "array"]',
       b'{"@timestamp": "yesterday", "event": {"id": "t", "dataset": "mlm.auth", "action": "login"}}']


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replay")
    lines = stream()
    mixed = lines[:100] + BAD[:2] + lines[100:900] + BAD[2:] + [b"", b"   "] + lines[900:]
    plain = folder / "events.ndjson"
    plain.write_bytes(b"\n".join(mixed) + b"\n")
    packed = folder / "events.ndjson.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    ordered = folder / "sorted.ndjson"
    ordered.write_bytes(b"\n".join(sorted(lines, key=lambda b: orjson.loads(b)["@timestamp"])) + b"\n")
    return folder, plain, packed, ordered


def replay(args, capsys):
    assert main(["replay", *args]) == 0
    return capsys.readouterr()


def alerts_of(text: bytes) -> list[Alert]:
    return [Alert.from_json(line) for line in text.splitlines()]


def test_same_input_same_alerts_byte_for_byte(files, capsys):
    folder, plain, _, _ = files
    first, second = folder / "a1.ndjson", folder / "a2.ndjson"
    replay([str(plain), "--out", str(first)], capsys)
    replay([str(plain), "--out", str(second)], capsys)
    assert first.read_bytes() == second.read_bytes()
    rules = [a.rule_id for a in alerts_of(first.read_bytes())]
    assert rules.count(BRUTE) == 1 and rules.count(SPRAY) == 1


def test_gzip_input_and_stdout_output(files, capsys):
    folder, plain, packed, _ = files
    out = replay([str(packed), *RULES], capsys).out.encode()
    reference = folder / "ref.ndjson"
    replay([str(plain), *RULES, "--out", str(reference)], capsys)
    assert out == reference.read_bytes() and out


def test_bad_lines_are_counted_reported_and_skipped(files, capsys):
    _, plain, _, _ = files
    captured = replay([str(plain), *RULES, "--out", "/dev/null"], capsys)
    err = captured.err
    assert "(5 bad lines, " in err
    assert "events.ndjson:101: not valid JSON" in err and "events.ndjson:102: @timestamp: required" in err
    assert "events/s" in err and "1,524 events read" in err
    # Sigma only: the brute force, and the big export sent without a device cookie (new to the account).
    assert "alerts: " in err and "account_takeover 2" in err


def test_event_time_order_repairs_local_disorder(files, capsys):
    folder, plain, _, ordered = files
    shuffled, clean = folder / "o1.ndjson", folder / "o2.ndjson"
    replay([str(plain), *RULES, "--out", str(shuffled)], capsys)
    replay([str(ordered), *RULES, "--out", str(clean)], capsys)
    assert shuffled.read_bytes() == clean.read_bytes()
    # A reorder buffer too small for the disorder reports late events instead of failing.
    err = replay([str(plain), *RULES, "--reorder", "0", "--out", "/dev/null"], capsys).err
    assert " late)" in err and "(5 bad lines, 0 late)" not in err


def test_baseline_warms_rules_without_writing_its_alerts(tmp_path, capsys):
    baseline = tmp_path / "baseline.ndjson"
    base = [make_event_dict(i, event__id=f"base-{i}", event__outcome="failure", user__name="amy", user__id="amy")
            for i in range(9)]
    base += [make_event_dict(i, event__id=f"bob-{i}", event__outcome="failure", user__name="bob", user__id="bob")
             for i in range(12)]
    baseline.write_bytes(b"\n".join(orjson.dumps(e) for e in base) + b"\n")
    events = tmp_path / "events.ndjson"
    events.write_bytes(orjson.dumps(make_event_dict(60, event__id="new-1", event__outcome="failure",
                                                    user__name="amy", user__id="amy")) + b"\n")
    out = tmp_path / "alerts.ndjson"
    err = replay([str(events), "--baseline", str(baseline), *RULES, "--out", str(out)], capsys).err
    alerts = alerts_of(out.read_bytes())
    assert [(a.rule_id, a.entity_value) for a in alerts] == [(BRUTE, "amy")]  # nothing for bob
    assert "new-1" in alerts[0].event_ids and "baseline: 21 events" in err
    replay([str(events), *RULES, "--out", str(out)], capsys)
    assert out.read_bytes() == b""  # without the baseline one failure is nothing


def test_missing_input_is_a_clear_error(tmp_path, capsys):
    assert main(["replay", str(tmp_path / "nope.ndjson")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_invalid_rules_folder_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "bad.yml").write_text("title: [oops\n")
    events = tmp_path / "e.ndjson"
    events.write_bytes(b"")
    assert main(["replay", str(events), "--rules", str(tmp_path)]) == 2
    assert "bad.yml" in capsys.readouterr().err


def test_oversized_and_truncated_input_lose_only_the_bad_parts(tmp_path, capsys):
    good = [orjson.dumps(make_event_dict(i, event__id=f"g{i}")) for i in range(3)]
    huge = b'{"pad": "' + b"A" * 3_000_000 + b'"}'
    path = tmp_path / "big.ndjson"
    path.write_bytes(b"\n".join([good[0], huge, good[1], good[2]]) + b"\n")
    err = replay([str(path), *RULES, "--out", "/dev/null"], capsys).err
    assert "big.ndjson:2: line longer than" in err and "3 events read" in err and "(1 bad lines" in err
    packed = tmp_path / "cut.ndjson.gz"
    packed.write_bytes(gzip.compress(b"\n".join(good * 200) + b"\n")[:-30])  # truncated download
    err = replay([str(packed), *RULES, "--out", "/dev/null"], capsys).err
    assert "unreadable input" in err and "events read" in err


def test_time_order_across_line_layouts(tmp_path):
    from detectors.replay import ReadStats, events_in_time_order

    docs = [make_event_dict(t, event__id=f"o{t}") for t in (30, 10, 20, 0, 40)]
    lines = [orjson.dumps(docs[0]),
             orjson.dumps({"event.id": "flat", **{k: v for k, v in docs[1].items() if k != "event"},
                           "event.dataset": "mlm.auth", "event.action": "login"}),
             (b'{"@timestamp" : "2026-11-02T09:00:20Z", "event": {"id": "spaced", "dataset": "mlm.auth", '
             b'"action": "login"}}'),
             orjson.dumps(docs[3]).replace(b'"@timestamp":"2026', b'"@timestamp":"\\u0032026'),  # escaped: parsed early
             orjson.dumps(docs[4])]
    path = tmp_path / "layouts.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    stats = ReadStats(str(path))
    out = [e.id for e in events_in_time_order(path, stats, reorder=10)]
    assert out == ["o0", "flat", "spaced", "o30", "o40"] and stats.events == 5 and stats.late == 0


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1 << 20])
def test_line_reader_is_the_same_at_any_chunk_size(tmp_path, monkeypatch, chunk):
    from detectors import replay_input as replay_module

    monkeypatch.setattr(replay_module, "READ_CHUNK", chunk)
    monkeypatch.setattr(replay_module, "MAX_LINE_BYTES", 10)
    data = b"0123456789\n\n   \n01234567890\nshort\n" + b"x" * 25 + b"\nok\n" + b"y" * 11
    path = tmp_path / "chunks.ndjson"
    path.write_bytes(data)
    stats = replay_module.ReadStats(str(path))
    lines = list(replay_module.read_lines(path, stats))
    assert lines == [(1, b"0123456789"), (5, b"short"), (7, b"ok")]
    assert stats.lines == 8 and stats.bad == 3  # lines 4, 6 and the unterminated 8 are too long
    path.write_bytes(b"a\nbb")
    assert list(replay_module.read_lines(path, replay_module.ReadStats(str(path)))) == [(1, b"a"), (2, b"bb")]


def test_sort_key_reads_the_leading_stamp_as_the_parser_does():
    from datetime import UTC, datetime, timedelta

    from core.event import parse_timestamp
    from detectors.replay import sort_key

    rng = random.Random(11)
    stamps = ["2026-11-02T10:30:00+01:00", "2026-11-02T09:30:00Z", "2026-11-02T09:30:00.5Z", "yesterday", ""]
    for _ in range(500):
        moment = datetime(1990, 1, 1, tzinfo=UTC) + timedelta(microseconds=rng.randrange(10**16))
        stamps += [moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z" for spec in ("milliseconds", "microseconds")]
    for stamp in stamps:
        try:
            expected = parse_timestamp(stamp).timestamp()
        except ValueError:
            expected = None
        assert sort_key(b'{"@timestamp":"' + stamp.encode() + b'","event":{}}') == expected, stamp
