"""Spraying spread over a whole residential proxy pool (no network sees more than one account),
against the members who mistype, forget and reset, over a day."""

from __future__ import annotations

import random

import pytest
from ato_helpers import login, run, seconds_of

from detectors.ato.stuck import StuckAccounts

HOUR = 3600.0


def members_day(seed: int, hours: float = 24, per_hour: int = 60) -> list:
    """Logins all day; 6% mistype then log in, 1% forget: three tries, then a reset and a login later."""
    rng = random.Random(seed)
    out = []
    for i in range(int(hours * per_hour)):
        t, ip, user = i * HOUR / per_hour, f"198.51.{rng.randint(0, 200)}.{rng.randint(2, 250)}", f"m{i % 900}"
        roll = rng.random()
        if roll < 0.01:
            out += [login(t + k * 20, user, ok=False, ip=ip) for k in range(3)]
            out.append(login(t + rng.uniform(900, 3 * HOUR), user, ip=ip))
            continue
        if roll < 0.07:
            out.append(login(t, user, ok=False, ip=ip))
        out.append(login(t + 8, user, ip=ip))
    return out


def proxy_spray(start: float, victims: int, gap: float, seed: int) -> list:
    rng = random.Random(seed)
    return [login(start + v * gap * rng.uniform(0.5, 1.5), f"victim{v}", ok=False,
                  ip=f"{rng.randint(11, 199)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}")
            for v in range(victims)]


@pytest.mark.parametrize("gap,seed", [(60.0, 1), (150.0, 2)])
def test_spray_over_a_residential_pool_is_found_within_the_hour(gap, seed):
    spray = proxy_spray(6 * HOUR, 200, gap, seed)
    events = sorted(members_day(seed) + spray, key=lambda e: e.ts)
    alerts = run(StuckAccounts(), events)
    assert len(alerts) == 1, [a.summary for a in alerts]
    assert alerts[0].entity_value == "mlm_app" and "attack.t1110.003" in alerts[0].tags
    assert seconds_of(alerts[0]) - 6 * HOUR <= 600 + 20 * gap * 1.5 + 120


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_members_mistyping_and_forgetting_all_day_stay_quiet(seed):
    assert run(StuckAccounts(), sorted(members_day(seed, per_hour=200), key=lambda e: e.ts)) == []


def test_baseline_raises_the_bar_and_survives_save_and_load(tmp_path):
    det = StuckAccounts()
    noisy = sorted(proxy_spray(0, 400, 30, 9), key=lambda e: e.ts)  # 100+ stranded accounts an hour
    for event in noisy:
        det.observe_baseline(event)
    det.fit_baseline()
    assert det.bar >= 4 * 100
    det.save(tmp_path)
    fresh = StuckAccounts()
    assert fresh.load(tmp_path) and fresh.bar == det.bar
    assert run(det, proxy_spray(10 * HOUR, 200, 60, 2)) == []  # ordinary for this deployment
