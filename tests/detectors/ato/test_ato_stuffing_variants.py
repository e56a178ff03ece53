"""Credential stuffing under outside variations: slow botnets, one try per address, back-to-back
waves, and the hard negatives (a spray from one network, a steady campaign, typo noise)."""

from __future__ import annotations

import random

import pytest
from ato_helpers import login, run, seconds_of

from detectors.ato.stuffing import CredentialStuffing


def residential_wave(start: float, n: int, gap: float, seed: int, unknown_share: float = 0.6) -> list:
    """One try per fresh residential address (thousands of them), spread over many networks."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        ip = f"{rng.randint(11, 199)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
        unknown = rng.random() < unknown_share
        name = f"combo{seed}-{i}@mail.com" if unknown else f"member{rng.randint(1, 900)}"
        out.append(login(start + i * gap * rng.uniform(0.5, 1.5), name, ok=False, ip=ip,
                         reason="unknown_user" if unknown else "bad_password"))
    return out


def typo_noise(hours: float, per_hour: int, seed: int) -> list:
    """Members mistyping then logging in, from their home networks, all day."""
    rng = random.Random(seed)
    out = []
    for i in range(int(hours * per_hour)):
        t, ip = i * 3600 / per_hour, f"198.51.{rng.randint(0, 99)}.{rng.randint(2, 250)}"
        out += [login(t, f"member{i % 700}", ok=False, ip=ip), login(t + 9, f"member{i % 700}", ip=ip)]
        out += [login(t + k * 20 + 30, f"happy{i}-{k}", ip=ip) for k in range(4)]
    return out


@pytest.mark.parametrize("gap,seed,window", [(20.0, 1, 300), (45.0, 2, 3600), (70.0, 3, 3600)])
def test_slow_stuffing_one_try_per_address_is_found_within_the_hour(gap, seed, window):
    """A try every 20-70 s from fresh addresses for hours: too slow for the 5-minute bar from 45 s
    on, found by the hour window; then one alert per hour of campaign, not one per wave."""
    wave = residential_wave(7200, 300, gap, seed)
    events = sorted(typo_noise(6 + 300 * gap / 3600, 12, seed) + wave, key=lambda e: e.ts)
    alerts = run(CredentialStuffing(), events)
    assert alerts and alerts[0].entity_value == "mlm_app"
    assert alerts[0].extra["mlm_siem"]["window_s"] == window
    assert seconds_of(alerts[0]) - 7200 <= 40 * gap * 1.5 + 60  # once the hour holds ~40 of them
    hours = (wave[-1].ts - wave[0].ts) / 3600
    assert len(alerts) <= 1 + hours, [a.summary for a in alerts]


def test_typo_noise_all_day_stays_quiet():
    assert run(CredentialStuffing(), sorted(typo_noise(24, 30, 9), key=lambda e: e.ts)) == []


def test_fast_wave_of_real_usernames_alerts_within_a_minute():
    """A combo list of only existing accounts (no unknown names): the failure share carries it."""
    events = residential_wave(1000, 200, 1.0, 5, unknown_share=0.0)
    alerts = run(CredentialStuffing(), events)
    assert len(alerts) == 1 and alerts[0].extra["mlm_siem"]["window_s"] == 300
    assert seconds_of(alerts[0]) - 1000 <= 60


def test_spray_through_one_network_is_not_service_wide_stuffing():
    """Four addresses of one /24 trying real accounts: the spraying detector's case, not this one."""
    spray = [login(i * 20.0, f"victim{i}", ok=False, ip=f"176.108.135.{[36, 83, 170, 199][i % 4]}")
             for i in range(60)]
    strays = [login(i * 300.0 + 7, f"member{i}", ok=False, ip=f"134.{i}.201.9") for i in range(3)]
    assert run(CredentialStuffing(), sorted(spray + strays, key=lambda e: e.ts)) == []


def test_steady_campaign_alerts_once_a_new_bigger_wave_alerts_again():
    """A flood of made-up names from a few clouds, then 20 minutes later a much larger campaign."""
    flood = [login(100 + i * 0.01, f"user{i}", ok=False, ip=f"52.77.{i % 4}.10", reason="unknown_user")
             for i in range(16)]
    steady = residential_wave(1300, 900, 2.0, 8)  # half an hour at one try every ~2 s
    alerts = run(CredentialStuffing(), flood + steady)
    assert len(alerts) == 2, [a.summary for a in alerts]
    assert seconds_of(alerts[0]) < 200
    assert seconds_of(alerts[1]) - 1300 <= 120


def test_model_file_round_trip_and_hostile_values(tmp_path):
    det = CredentialStuffing()
    det.waves[0].set_bars(100, 50)
    det.waves[1].set_bars(400, 200)
    det.save(tmp_path)
    fresh = CredentialStuffing()
    assert fresh.load(tmp_path)
    assert [(w.bar, w.unknown_bar) for w in fresh.waves] == [(100.0, 50.0), (400.0, 200.0)]
    fresh.waves[0].set_bars("nonsense", None)  # a hand-edited file: floors hold
    assert fresh.waves[0].bar == CredentialStuffing.min_failures
