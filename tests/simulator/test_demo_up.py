"""`mlm-siem up`'s demo pieces: port checks, secrets, seeded accounts in the real app, the demo policy, the plan."""

from __future__ import annotations

import json
import random
import socket
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
import uvicorn
from builders import free_port

from core.alert import Alert
from dashboard.response.policy import load_policy, matching
from mlm_siem import up
from mlm_siem.demo_setup import seed_members, write_policy
from simulator import demo_web as web
from simulator.demo import CAST_REST, VICTIMS, Demo, DemoOptions, member_numbers
from simulator.demo_feed import ATO_KINDS, FRAUD_KINDS, SPAN_SECONDS, SPANS, Feed, ScenarioSource


def test_a_taken_port_is_named_with_the_flag_that_moves_it():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        taken = sock.getsockname()[1]
        problem = up._check_ports("127.0.0.1", {"app": free_port(), "collector": taken, "dashboard": free_port()})
    assert problem is not None and f"port {taken}" in problem and "in use" in problem
    assert "--collector-port" in problem
    assert "different ports" in up._check_ports("127.0.0.1", {"app": 5, "collector": 5, "dashboard": 6})


def test_free_ports_pass():
    with socket.socket() as a, socket.socket() as b, socket.socket() as c:
        for sock in (a, b, c):
            sock.bind(("127.0.0.1", 0))
        ports = {name: sock.getsockname()[1] for name, sock in zip(("app", "collector", "dashboard"), (a, b, c))}
    assert up._check_ports("127.0.0.1", ports) is None


def test_secrets_of_an_older_data_dir_are_kept_and_completed(tmp_path):
    old = {"response_token": "r", "app_secret": "a", "dashboard_secret": "d"}
    (tmp_path / "secrets.json").write_text(json.dumps(old))
    values = up._shared_secrets(tmp_path)
    assert {k: values[k] for k in old} == old and len(values["demo_password"]) >= 12
    assert stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode) == 0o600
    assert up._shared_secrets(tmp_path) == values  # stable across restarts
    assert [up._next_run(tmp_path) for _ in range(3)] == [0, 1, 2]


def test_the_demo_policy_only_proposes_and_never_blocks_the_analysts_address(tmp_path):
    profiles = load_policy(write_policy(tmp_path))
    assert profiles and not any(p.auto for p in profiles)
    incident = SimpleNamespace(severity="critical", alert_count=3, kind="alert")

    def alert(category: str, entity_type: str, value: str) -> Alert:
        return Alert(rule_id="r", rule_name="r", category=category, severity="critical", risk_score=95,
                     entity_type=entity_type, entity_value=value, timestamp="2026-11-02T10:00:00Z",
                     event_ids=["e"], summary="s")

    blocks = [d.action for p in matching(profiles, alert("traffic_flood", "ip", "127.99.3.4"), incident)
              for d in p.decisions]
    assert blocks == ["block_ip"]
    assert not matching(profiles, alert("injection", "ip", "127.0.0.1"), incident)
    held = [d.action for p in matching(profiles, alert("commission_fraud", "distributor", "D000042"), incident)
            for d in p.decisions]
    assert held == ["hold_payouts"]


# -- the seeded accounts in the real MLM app -------------------------------------------------------

@pytest.fixture(scope="module")
def real_app(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    from mlm_app.main import create_app
    from mlm_app.settings import AppSettings

    data_dir = tmp_path_factory.mktemp("app")
    assert seed_members(data_dir, "demo-secret", "demo pass 123", count=45) == 45
    assert seed_members(data_dir, "demo-secret", "demo pass 123", count=45) == 0  # a restart seeds nothing
    app = create_app(AppSettings(data_dir=data_dir, secret_key="demo-secret", shipper="off"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", data_dir
    server.should_exit = True
    thread.join(5)


def test_a_seeded_member_signs_in_and_buys_in_the_real_app(real_app):
    url, data_dir = real_app
    clients = web.Clients(url)
    try:
        rng = random.Random(1)
        before = _orders(data_dir, "D000003")
        assert web.member_session(clients, rng, 3, "demo pass 123", lambda seconds: False) > 4
        assert web.buy(clients.get(web.member_address(3)), rng) == 1  # signed out: the shop offers no buying
        assert web.login(clients.get(web.member_address(3)), "dist000003", "demo pass 123")
        assert web.buy(clients.get(web.member_address(3)), rng) == 2
        assert not web.login(clients.get(web.member_address(4)), "dist000004", "wrong")
    finally:
        clients.close()
    assert _orders(data_dir, "D000003") > before  # the session may have bought too


def _orders(data_dir: Path, distributor: str) -> int:
    with sqlite3.connect(data_dir / "app.db") as db:
        return int(db.execute("select count(*) from biz_orders where distributor_id = ?", (distributor,)).fetchone()[0])


# -- the demo's plan -------------------------------------------------------------------------------

def test_the_first_minute_has_every_wave_then_a_steady_rotation():
    demo = Demo("http://127.0.0.1:9", threading.Event(), DemoOptions(members=200, password="p"))
    plan = []
    for at, name in demo.plan():
        plan.append((at, name))
        if len(plan) == 30:
            break
    assert [at for at, _ in plan] == sorted(at for at, _ in plan)
    first_minute = [name for at, name in plan if at <= 60]
    assert set(first_minute) == set(demo.waves())
    # Scenario waves cycle through their kinds: one wave per kind plays every business scenario.
    assert first_minute.count("fraud_scenario") == len(FRAUD_KINDS)
    assert first_minute.count("ato_scenario") == len(ATO_KINDS)
    assert ATO_KINDS[0] == "impossible_travel"  # the longest span starts first
    assert all(SPANS.get(kind, SPAN_SECONDS) <= 90 for kind in FRAUD_KINDS + ATO_KINDS[1:])
    assert set(demo.benign).isdisjoint(int(v[4:]) for v in demo.victims)
    assert len(demo.victims) == VICTIMS and max(demo.benign) < 200 - VICTIMS + 1
    other = Demo("http://127.0.0.1:9", threading.Event(), DemoOptions(members=200, password="p", run=1))
    assert other.seed != demo.seed
    bare = Demo("http://127.0.0.1:9", threading.Event(), DemoOptions())
    assert bare.benign == [] and len(bare.victims) == VICTIMS


def test_each_brute_force_wave_guesses_another_account(monkeypatch):
    demo = Demo("http://127.0.0.1:9", threading.Event(), DemoOptions(members=200, password="p"))
    guessed: list[str] = []
    monkeypatch.setattr(web, "brute_force", lambda clients, rng, victim: guessed.append(victim) or 24)
    wave = demo.waves()["brute_force"]
    assert [wave(random.Random(1)) for _ in range(VICTIMS + 1)] == [24] * (VICTIMS + 1)
    assert sorted(guessed[:VICTIMS]) == sorted(demo.victims)  # every target once before any twice
    assert guessed[VICTIMS] == guessed[0]


def test_visitors_leave_the_members_a_scenario_plays_alone():
    demo = Demo("http://127.0.0.1:9", threading.Event(), DemoOptions(members=200, password="p"))
    demo.source = ScenarioSource(7)
    demo.feed = Feed("http://collector", "t0k", transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    demo.scenario("impossible_travel")
    played = {due.event["user"]["id"] for due in demo.feed._queue if due.event.get("user", {}).get("id")}
    assert played and set(demo.cast) == {int(uid[1:]) for uid in played}
    # Left alone until the scenario (ten minutes) and a rest are over, not for ever.
    assert all(590 < until - time.monotonic() <= 600 + CAST_REST for until in demo.cast.values())
    assert member_numbers([{"user": {"id": "D000042"}}, {"user": {"id": "D42"}}, {"user": {"id": 7}}, {}]) == {42}


class Ticks(threading.Event):
    """A stop flag that sets itself after `n` waits, which return at once (no real sleeping)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.left = n

    def wait(self, timeout: float | None = None) -> bool:
        self.left -= 1
        if self.left <= 0:
            self.set()
        return self.is_set()


def test_a_visitor_never_signs_in_as_a_scenario_character(monkeypatch):
    demo = Demo("http://127.0.0.1:9", Ticks(400), DemoOptions(members=200, password="p", visitors=1))
    demo.cast = dict.fromkeys(demo.benign[1:3], time.monotonic() - 1)  # their scenario is over
    demo.cast.update(dict.fromkeys(demo.benign[3:], time.monotonic() + 600))
    signed_in: list[int] = []
    monkeypatch.setattr(web, "member_session", lambda clients, rng, index, *rest: signed_in.append(index) or 1)
    monkeypatch.setattr(web, "shopper_visit", lambda clients, rng: 1)
    demo._visitor(0)
    assert signed_in and set(signed_in) == set(demo.benign[:3])
