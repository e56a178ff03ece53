"""Slow brute force against one account: paced under the five-minute Sigma rule, from one or many
addresses; and the owner who forgets a password, the stuffing list's one-off names."""

from __future__ import annotations

import random

import pytest
from ato_helpers import login, run, seconds_of

from detectors.ato.bruteforce import SlowBruteForce
from detectors.base import DetectorConfig
from detectors.engine import Engine


def guesses(start: float, n: int, gap: float, seed: int, addresses: int = 1, user: str = "amy") -> list:
    rng = random.Random(seed)
    pool = [f"185.{seed}.{rng.randint(0, 255)}.{rng.randint(2, 250)}" for _ in range(addresses)]
    out, t = [], start
    for _ in range(n):
        out.append(login(t, user, ok=False, ip=rng.choice(pool), user__id=user))
        t += gap * rng.uniform(0.7, 1.3)
    return out


@pytest.mark.parametrize("gap,addresses,seed,need", [(40.0, 1, 1, 10), (90.0, 6, 2, 10),
                                                     (200.0, 3, 3, 15), (1200.0, 40, 4, 30)])
def test_paced_guessing_is_found(gap, addresses, seed, need):
    """From one guess every 40 s to one every 20 minutes, from one to forty addresses."""
    events = guesses(0, 60, gap, seed, addresses)
    alerts = run(SlowBruteForce(), events)
    assert 1 <= len(alerts) <= 1 + (events[-1].ts - events[0].ts) // (6 * 3600)  # one per six hours
    alert = alerts[0]
    assert (alert.entity_type, alert.entity_value, alert.severity) == ("user", "amy", "high")
    assert "attack.t1110.001" in alert.tags and len(alert.event_ids) <= 100
    assert seconds_of(alert) <= events[need - 1].ts - events[0].ts + 1e-6


def test_owner_forgetting_a_password_a_few_times_a_day_stays_quiet():
    events = []
    for day in range(5):
        events += [login(day * 86_400 + k * 20, "bob", ok=False, user__id="bob") for k in range(4)]
        events.append(login(day * 86_400 + 200, "bob"))
    assert run(SlowBruteForce(), events) == []


def test_stuffing_lists_one_off_names_and_unknown_users_are_not_brute_force():
    wave = [login(i, f"nobody{i % 7}", ok=False, reason="unknown_user") for i in range(200)]
    assert run(SlowBruteForce(), wave) == []


def test_headless_browser_guessing_once_a_minute_alerts_at_the_fifth_try():
    tries = [login(i * 60.0, "lead", ok=False, ip="18.182.239.32", user__id="lead",
                   user_agent__original="Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36")
             for i in range(20)]
    alerts = run(SlowBruteForce(), tries)
    assert len(alerts) == 1 and seconds_of(alerts[0]) == 4 * 60.0
    # The same pace from an ordinary browser waits for the full count (ten in fifteen minutes).
    browser = [login(i * 60.0, "lead2", ok=False, user__id="lead2") for i in range(20)]
    assert [seconds_of(a) for a in run(SlowBruteForce(), browser)] == [9 * 60.0]


BRUTE_RULE = "3f6c1d2a-5b7e-4c19-9a01-6d0e1f2a0102"  # auth_failed_login.yml: per account (user.id)
NAME_RULE = "3f6c1d2a-5b7e-4c19-9a01-6d0e1f2a0104"  # the same for a typed name no account has


@pytest.mark.parametrize("gap,tries,seed", [(5.0, 12, 5), (20.0, 14, 6), (28.0, 11, 7)])
def test_one_brute_force_is_one_incident_whatever_was_typed(gap, tries, seed):
    """The Sigma rule and the brute-force detector both fire and name the same account, so the
    dashboard (incidents keyed by entity type, entity value and category) opens one incident."""
    rng = random.Random(seed)
    engine = Engine.build(DetectorConfig(families=["sigma", "ato"]), strict=True)
    typed = ["amy", "Amy", "amy@example.com", "AMY"]
    alerts = []
    for i in range(tries):
        alerts += engine.process(login(i * gap * rng.uniform(0.8, 1.2) + i, rng.choice(typed), ok=False,
                                       ip="185.7.7.7", user__id="D000101"))
    rules = {a.rule_id for a in alerts}
    assert {BRUTE_RULE, "mlm-ato-brute-force"} <= rules
    assert {(a.entity_type, a.entity_value, a.category) for a in alerts} == {("user", "D000101", "account_takeover")}


def test_guessing_a_name_no_account_has_is_named_by_what_was_typed():
    engine = Engine.build(DetectorConfig(families=["sigma", "ato"]), strict=True)
    alerts = [a for i in range(12) for a in engine.process(login(i * 5, "victim.amy", ok=False, ip="185.7.7.8",
                                                                 reason="unknown_user"))]
    assert [(a.rule_id, a.entity_type, a.entity_value) for a in alerts] == [(NAME_RULE, "user", "victim.amy")]
