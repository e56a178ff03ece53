"""Spraying by one client over a proxy pool: one try per real account, then silence. Positives at
varied paces and pool sizes, and the member crowds that must stay quiet (typos, forgotten passwords,
one office, a popular phone's agent string)."""

from __future__ import annotations

import random

import pytest
from ato_helpers import login, run, seconds_of

from detectors.ato.oneclient import GRACE, MIN_ACCOUNTS, OneClientSpray
from detectors.ato.spraying import PasswordSpraying

TOOL_UA = "Mozilla/5.0 (Linux; Android 15; Pixel 4) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"
PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def spray(start: float, accounts: int, every: float, pool: int, seed: int, ua: str = TOOL_UA) -> list:
    """One try per account, each from an address of a pool spread over many networks."""
    rng = random.Random(seed)
    ips = [f"{rng.randint(11, 200)}.{rng.randint(0, 255)}.{i}.{rng.randint(1, 254)}" for i in range(pool)]
    return [login(start + k * every, f"victim{seed}-{k}", ok=False, ip=rng.choice(ips), device=None,
                  user_agent__original=ua, user__id=f"victim{seed}-{k}") for k in range(accounts)]


def ticks(start: float, end: float, step: float = 20.0) -> list:
    """Ordinary successful logins of other members: the stream that carries time forward."""
    return [login(t, f"member{int(t) % 97}", ip=f"198.51.{int(t) % 200}.7", user_agent__original=PHONE_UA)
            for t in range(int(start), int(end), int(step))]


def merged(*streams: list) -> list:
    return sorted((e for s in streams for e in s), key=lambda e: e.ts)


@pytest.mark.parametrize(("every", "pool", "seed"), [(30.0, 25, 1), (60.0, 54, 2), (180.0, 70, 3), (420.0, 40, 4)])
def test_one_try_per_account_from_a_pool_alerts_once_the_bar_of_silent_accounts_is_met(every, pool, seed):
    attack = spray(1000.0, 30, every, pool, seed)
    alerts = run(OneClientSpray(), merged(attack, ticks(0, 1000 + 31 * every + 300)))
    assert [(a.rule_id, a.entity_type) for a in alerts] == [("mlm-ato-one-client-spray", "service")]
    # Found once the sixth account has been silent for the grace period (the next event after it).
    sixth = 1000.0 + (MIN_ACCOUNTS - 1) * every
    assert sixth + GRACE < seconds_of(alerts[0]) <= sixth + GRACE + max(every, 20.0)
    assert set(alerts[0].event_ids) <= {e.id for e in attack} and len(alerts[0].event_ids) >= MIN_ACCOUNTS
    assert "attack.t1110.003" in alerts[0].tags


def test_typos_fixed_within_seconds_stay_quiet():
    events = []
    for k in range(40):
        t = k * 45.0
        events.append(login(t, f"m{k}", ok=False, ip=f"81.{k}.3.9", user_agent__original=PHONE_UA, user__id=f"m{k}"))
        events.append(login(t + 12, f"m{k}", ip=f"81.{k}.3.9", user_agent__original=PHONE_UA))
    assert run(OneClientSpray(), merged(events, ticks(0, 2400))) == []


def test_forgotten_passwords_tried_several_times_then_reset_stay_quiet():
    events = [login(k * 90.0 + i * 15, f"f{k}", ok=False, ip=f"82.{k}.1.9", user_agent__original=PHONE_UA,
                    user__id=f"f{k}") for k in range(20) for i in range(3)]
    assert run(OneClientSpray(), merged(events, ticks(0, 2400))) == []


def test_one_network_is_left_to_the_per_network_detectors():
    attack = [login(k * 30.0, f"v{k}", ok=False, ip=f"203.0.113.{k + 2}", device=None,
                    user_agent__original=TOOL_UA, user__id=f"v{k}") for k in range(20)]
    assert run(OneClientSpray(), merged(attack, ticks(0, 1200))) == []


def test_the_bar_follows_the_baseline_and_survives_save_and_load(tmp_path):
    """A population where a popular agent strands up to three accounts an hour: the bar rises to nine."""
    det = OneClientSpray()
    for hour in range(0, 24, 2):
        for e in merged(spray(hour * 3600.0, 3, 300.0, 30, 100 + hour, ua=PHONE_UA),
                        ticks(hour * 3600.0, hour * 3600.0 + 7200.0, 120.0)):
            det.observe_baseline(e)
    det.fit_baseline()
    assert det.bar == 9.0
    det.save(tmp_path)
    fresh = OneClientSpray()
    assert fresh.load(tmp_path) and fresh.bar == 9.0
    start = 30 * 86_400.0
    small = spray(start, 7, 60.0, 40, 7, ua=PHONE_UA)
    assert run(fresh, merged(small, ticks(start, start + 1200))) == []
    later = start + 86_400.0
    big = spray(later, 20, 60.0, 40, 8, ua=PHONE_UA)
    assert len(run(fresh, merged(big, ticks(later, later + 1800)))) == 1


def test_password_spraying_runs_it_and_reports_it():
    det = PasswordSpraying()
    attack = spray(0.0, 12, 60.0, 50, 9)
    alerts = run(det, merged(attack, ticks(0, 1200)))
    assert "mlm-ato-one-client-spray" in [a.rule_id for a in alerts]
