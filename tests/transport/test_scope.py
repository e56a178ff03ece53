"""Detector scopes: every detector runs in exactly one place, and entity + global members together
give the alerts one process gives, where members that each run everything miss service-wide ones."""

from __future__ import annotations

import gzip
import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from builders import free_port, make_event_dict
from scoped_stream import BRUTE, MFA_BRUTE, STUFFING, attack_stream, entity_key, partition_of

from core.event import Event
from detectors.base import DetectorConfig
from detectors.engine import Engine
from detectors.scope import DETECTOR_SCOPES, SCOPES, build_engine, scope_of, sigma_rule_scopes
from detectors.serve import health_server, serve_detectors
from detectors.settings import DetectorSettings
from detectors.sigma import PACKAGED_RULES
from detectors.sigma.loader import load_collection, rule_files
from mlm_siem.cli import build_parser

MEMBERS = [{0, 1}, {2}]  # two members of one group over three partitions (Kafka's range assignment)
# The attack stream holds no HTTP requests; injection (1.8 s CPU to build) would only watch.
AUTH = DetectorConfig(families=["sigma", "ato", "fraud", "flood"])


def run(engine: Engine, events: list[Event]) -> list:
    return [a for e in events for a in engine.process(e)] + engine.flush()


def share(events: list[Event], partitions: set[int], count: int = 3) -> list[Event]:
    """The events a member holding `partitions` (of `count`) receives."""
    return [e for e in events if partition_of(entity_key(e.doc), count) in partitions]


@pytest.fixture(scope="module")
def stream() -> list[Event]:
    return [Event.from_dict(e) for e in attack_stream("scope")]


@pytest.fixture(scope="module")
def built() -> dict[str, Engine]:
    """One engine per scope over every family (building injection costs 1.8 s CPU): the name tests
    only read them, the world test is the one that feeds them events."""
    return {scope: build_engine(DetectorConfig(), scope) for scope in SCOPES}


def test_every_registered_detector_has_a_scope(built):
    unknown = [d.name for d in built["all"].detectors
               if d.name not in DETECTOR_SCOPES and getattr(d, "scope", None) not in ("entity", "global")]
    assert not unknown, ("give each detector a scope: a `scope = 'entity'` attribute when its state is keyed "
                         f"by user.id alone, else 'global' (or a line in detectors/scope.py): {unknown}")
    assert set(DETECTOR_SCOPES.values()) <= {"entity", "global", "split"}


def test_a_detector_may_declare_its_scope_and_an_unknown_one_runs_globally():
    class Declared:
        name, scope = "x.per_user", "entity"

    class Bogus:
        name, scope = "x.other", "everywhere"

    class Overriding:
        name, scope = "ato.login_risk", "global"  # its author moved its state across users

    assert [scope_of(d) for d in (Declared(), Bogus(), Overriding(), "some.new_detector")] == [
        "entity", "global", "global", "global"]
    assert scope_of("ato.login_risk") == "entity" and scope_of("flood") == "global"


def test_entity_and_global_split_the_detectors_and_sigma_rules_exactly(built):
    parts = {s: built[s] for s in ("entity", "global")}
    names = {s: [d.name for d in e.detectors] for s, e in parts.items()}
    others = [n for n in DETECTOR_SCOPES if n != "sigma"]
    assert sorted(n for s in names.values() for n in s if n != "sigma") == sorted(others)
    assert {"ato.credential_stuffing", "ato.password_spraying", "injection", "flood"} <= set(names["global"])
    assert {"ato.impossible_travel", "ato.login_risk"} <= set(names["entity"])
    ids = {s: next(d for d in e.detectors if d.name == "sigma").rule_ids for s, e in parts.items()}
    every = {str(r.id) for r in load_collection(rule_files([PACKAGED_RULES])).rules}
    assert not ids["entity"] & ids["global"] and ids["entity"] | ids["global"] == every


def test_sigma_correlations_are_global_unless_grouped_by_user_id():
    scopes = sigma_rule_scopes(load_collection(rule_files([PACKAGED_RULES])))
    crossing = {rid[-4:] for rid, s in scopes.items() if s == "global"}
    # by a typed name no account has, by source.ip, and by an alias joining the staff actor's target
    # to the user's login
    assert crossing == {"0104", "0201", "0503"}
    assert scopes[MFA_BRUTE] == "entity"


RULES = """
title: Export
id: 11111111-0000-4000-8000-000000000001
name: t_export
logsource: {product: mlm}
detection: {sel: {event.action: data_exported}, condition: sel}
level: low
mlm: {category: data_exfiltration}
---
title: Exports per address
id: 11111111-0000-4000-8000-000000000002
correlation: {type: event_count, rules: [t_export], group-by: [source.ip], timespan: 10m, condition: {gte: 3},
  generate: true}
level: high
mlm: {category: data_exfiltration, entity: source.ip}
---
title: Exports per user and address
id: 11111111-0000-4000-8000-000000000003
correlation: {type: event_count, rules: [t_export], group-by: [user.id, source.ip], timespan: 10m,
  condition: {gte: 3}, generate: true}
level: high
mlm: {category: data_exfiltration, entity: user.id}
---
title: Export by a script, once an hour per address
id: 11111111-0000-4000-8000-000000000004
logsource: {product: mlm}
detection: {sel: {event.action: data_exported, user_agent.original|contains: curl}, condition: sel}
level: medium
mlm: {category: data_exfiltration, entity: source.ip, suppress: 1h}
---
title: Export by a script, once an hour per user
id: 11111111-0000-4000-8000-000000000005
logsource: {product: mlm}
detection: {sel: {event.action: data_exported, user_agent.original|contains: curl}, condition: sel}
level: medium
mlm: {category: data_exfiltration, entity: user.id, suppress: 1h}
"""


def test_a_feeding_rule_alerting_on_its_own_alerts_once(tmp_path):
    (tmp_path / "r.yml").write_text(RULES)
    config = DetectorConfig(rules_dirs=[tmp_path], only_rules=True)
    events = [make_event(i, event__dataset="mlm.audit", event__action="data_exported", user__id="u1",
                         user_agent__original="curl/8.0") for i in range(3)]
    rules = {s: sorted(a.rule_id[-1] for a in run(build_engine(config, s), events)) for s in SCOPES}
    assert rules["all"] == ["1", "1", "1", "2", "3", "4", "5"]
    # suppression per address must live in one member; per user it stays with the user's partition
    assert rules["entity"] == ["1", "1", "1", "3", "5"] and rules["global"] == ["2", "4"]


def make_event(seconds: float, **fields) -> Event:
    return Event.from_dict(make_event_dict(seconds, **fields))


def test_entity_members_plus_one_global_member_give_the_single_process_alerts_once(stream):
    reference = run(build_engine(AUTH, "all"), stream)
    assert {BRUTE, MFA_BRUTE, STUFFING} <= {a.rule_id for a in reference}
    split = run(build_engine(AUTH, "global"), stream)
    for partitions in MEMBERS:
        split += run(build_engine(AUTH, "entity"), share(stream, partitions))
    assert sorted(a.id for a in split) == sorted(a.id for a in reference)


def test_members_that_each_run_everything_miss_the_stuffing(stream):
    """The layout before scopes: every member ran every detector on its share of the stream."""
    alerts = [a for p in MEMBERS for a in run(build_engine(AUTH, "all"), share(stream, p))]
    assert STUFFING not in {a.rule_id for a in alerts}
    rules = [a.rule_id for a in alerts]
    assert STUFFING not in rules and rules.count(BRUTE) == rules.count(MFA_BRUTE) == 1


def test_settings_and_cli_choose_scope_and_group(monkeypatch):
    assert DetectorSettings().resolved_group() == "detectors"
    assert DetectorSettings(scope="entity").resolved_group() == "detectors"
    monkeypatch.setenv("MLM_SIEM_DETECTORS_SCOPE", "global")
    assert DetectorSettings().resolved_group() == "detectors-global"
    assert DetectorSettings(group="g2").resolved_group() == "g2"
    monkeypatch.setenv("MLM_SIEM_DETECTORS_SCOPE", "everything")
    with pytest.raises(ValueError):
        DetectorSettings()
    args = build_parser().parse_args(["serve-detectors", "--scope", "entity", "--group", "d2"])
    assert (args.scope, args.group) == ("entity", "d2")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve-detectors", "--scope", "nope"])
    with pytest.raises(ValueError, match="unknown detector scope"):
        build_engine(DetectorConfig(), "nope")


def test_serve_detectors_reports_its_scope_on_health(tmp_path: Path):
    port = free_port()
    settings = DetectorSettings(data_dir=tmp_path, scope="global", health_port=port, families=["ato", "flood"])
    stop = threading.Event()
    thread = threading.Thread(target=serve_detectors, args=(settings, stop), daemon=True)
    thread.start()
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as resp:
                    body = json.loads(resp.read())
                    break
            except OSError:
                time.sleep(0.1)
        assert body is not None and body["status"] == "ok"
        assert (body["scope"], body["group"]) == ("global", "detectors-global")
        assert {"flood", "ato.credential_stuffing"} <= set(body["detectors"])
        assert "ato.impossible_travel" not in body["detectors"]
    finally:
        stop.set()
        thread.join(15)



def read_world(path: Path) -> list[Event]:
    with gzip.open(path) as lines:
        return sorted((Event.from_json(line) for line in lines if line.strip()), key=lambda e: e.ts)


def test_a_seeded_world_gives_the_same_alerts_split_over_six_partitions(built):
    """The golden world (tests/detectors/golden_world: benign traffic, takeovers, fraud, floods,
    injection): two entity members over six partitions plus one global member give exactly the
    alerts of one process, ids included (the layout before scopes missed 36 of 67 here)."""
    world = Path(__file__).parents[1] / "detectors" / "golden_world"
    baseline, events = (read_world(world / f"world3_{name}.ndjson.gz") for name in ("baseline", "events"))

    def detect(scope: str, partitions: set[int]) -> list:
        engine = built.pop(scope) if scope in built else build_engine(DetectorConfig(), scope)
        engine.warm(share(baseline, partitions, 6))
        return run(engine, share(events, partitions, 6))

    everything = set(range(6))
    reference = detect("all", everything)
    assert len(reference) >= 40 and len({a.category for a in reference}) >= 3
    split = detect("global", everything) + detect("entity", {0, 1, 2}) + detect("entity", {3, 4, 5})
    assert sorted(a.id for a in split) == sorted(a.id for a in reference)


def test_health_answers_503_split_when_a_whole_stream_member_holds_part_of_it():
    stats = {"running": True, "whole_stream_lost": False}
    server = health_server("127.0.0.1", 0, lambda: dict(stats))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/health"
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            assert json.loads(resp.read())["status"] == "ok"
        stats["whole_stream_lost"] = True
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(url, timeout=5)
        assert answer.value.code == 503 and json.loads(answer.value.read())["status"] == "split"
    finally:
        server.shutdown()
        server.server_close()
