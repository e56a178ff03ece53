"""Credential stuffing and password spraying: positives, hard negatives, baseline-trained bar."""

from __future__ import annotations

import random

from ato_helpers import login, run, seconds_of

from detectors.ato.spraying import PasswordSpraying
from detectors.ato.stuffing import CredentialStuffing


def stuffing_wave(start: float, n: int = 120, rng: random.Random | None = None) -> list:
    """A botnet trying leaked pairs: one try per address, many countries, mostly unknown users."""
    rng = rng or random.Random(7)
    countries = ["BR", "VN", "IN", "RU", "US", "ID", "TR", "NG"]
    return [login(start + i * 0.5, f"leak{i}", ok=False, ip=f"{rng.randint(11, 99)}.{i % 250}.7.{i % 200 + 1}",
                  country=countries[i % 8], reason="unknown_user" if i % 3 else "bad_password")
            for i in range(n)]


def benign_traffic(seconds: float, users: int = 400, fail_every: int = 15) -> list:
    """Ordinary logins: mostly successes, an occasional typo followed by a success."""
    out = []
    for i in range(users):
        t = seconds * i / users
        if i % fail_every == 0:
            out.append(login(t, f"user{i}", ok=False, ip=f"198.51.{i % 200}.{i % 250 + 1}"))
        out.append(login(t + 5, f"user{i}", ip=f"198.51.{i % 200}.{i % 250 + 1}"))
    return sorted(out, key=lambda e: e.ts)


def test_stuffing_across_many_addresses_alerts_once_within_a_minute():
    alerts = run(CredentialStuffing(), benign_traffic(600) + stuffing_wave(700))
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.entity_type == "service" and alert.entity_value == "mlm_app"
    assert "attack.t1110.004" in alert.tags and alert.severity == "high"
    assert len(alert.event_ids) <= 100
    assert alert.extra["mlm_siem"]["failures"] >= CredentialStuffing.min_failures
    assert seconds_of(alert) - 700.0 <= 60  # time to detect, in event time


def test_flash_sale_burst_of_logins_stays_quiet():
    """A flash sale: thousands of logins in minutes, a normal share of typos."""
    events = benign_traffic(300, users=2000, fail_every=12)
    assert run(CredentialStuffing(), events) == []


def test_baseline_raises_the_bar_for_a_busy_service():
    det = CredentialStuffing()
    busy = [login(i * 2.0, f"u{i}", ok=False, ip=f"198.51.{i % 90}.{i % 200 + 1}", reason="unknown_user")
            for i in range(3000)]
    for event in busy:
        det.observe_baseline(event)
    det.fit_baseline()
    assert det.bar >= 4 * 40  # 40+ failures in each benign 5-minute window
    # A wave that beats the default bar but not this deployment's usual noise stays quiet.
    assert run(det, stuffing_wave(10_000, n=100)) == []


def test_stuffing_bar_survives_save_and_load(tmp_path):
    det = CredentialStuffing()
    det.bar = 321.0
    det.save(tmp_path)
    fresh = CredentialStuffing()
    assert fresh.load(tmp_path) and fresh.bar == 321.0
    assert not CredentialStuffing().load(tmp_path / "empty")


def spray(start: float, users: int, gap: float, net: str = "192.0.2", tries: int = 1) -> list:
    """One network trying one or two passwords on many accounts, slowly."""
    return [login(start + (u * tries + k) * gap, f"victim{u}", ok=False, ip=f"{net}.{(u % 5) + 10}")
            for u in range(users) for k in range(tries)]


def test_slow_spray_over_hours_from_one_network_alerts_once():
    alerts = run(PasswordSpraying(), spray(0, users=16, gap=600, tries=2))
    assert len(alerts) == 1
    assert alerts[0].entity_type == "ip" and alerts[0].entity_value.startswith("192.0.2.")
    assert "attack.t1110.003" in alerts[0].tags
    assert "192.0.2.0/24" in alerts[0].summary


def test_office_behind_nat_with_typos_stays_quiet():
    """200 staff behind one address: many fail once, then log in; mostly successes overall."""
    events = []
    for i in range(200):
        if i % 4 == 0:
            events.append(login(i * 60, f"staff{i}", ok=False, ip="192.0.2.1"))
        events.append(login(i * 60 + 20, f"staff{i}", ip="192.0.2.1"))
    assert run(PasswordSpraying(), events) == []


def test_spray_below_account_threshold_stays_quiet():
    assert run(PasswordSpraying(), spray(0, users=6, gap=600)) == []


def test_stuffing_wave_of_unknown_names_is_not_spraying():
    """A combo list through a proxy network: mostly made-up names, some real accounts, few tries each."""
    wave = [login(i * 30, f"nobody{i}" if i % 5 < 3 else f"real{i}", ok=False, ip=f"192.0.2.{i % 4 + 1}",
                  reason="unknown_user" if i % 5 < 3 else "bad_password") for i in range(60)]
    assert run(PasswordSpraying(), wave) == []


def test_script_spraying_real_accounts_alerts_after_two():
    scripted = [login(i * 60, f"victim{i}", ok=False, ip="192.0.2.9", user_agent__original="python-requests/2.32")
                for i in range(5)]
    alerts = run(PasswordSpraying(), scripted)
    assert len(alerts) == 1 and seconds_of(alerts[0]) == 60  # the second account
    assert alerts[0].severity == "medium"  # probable: two accounts; high takes the full count
    browsers = [login(i * 60, f"victim{i}", ok=False, ip="192.0.2.9") for i in range(5)]
    assert run(PasswordSpraying(), browsers) == []


def test_recovered_members_are_not_judged_and_fresh_victims_still_alert(monkeypatch):
    """The network's count of never-recovered accounts (an upper bound kept per failure and login)
    spares the full judgement while it is below the bar, and still lets the eighth victim alert."""
    detector, judged = PasswordSpraying(), []
    real_judge = detector._judge
    monkeypatch.setattr(detector, "_judge", lambda *a: judged.append(a[0]) or real_judge(*a))
    office = []
    for i in range(12):  # twelve colleagues mistype once, then log in
        office += [login(i * 60, f"staff{i}", ok=False, ip="192.0.2.1"), login(i * 60 + 20, f"staff{i}", ip="192.0.2.1")]
    assert run(detector, office) == [] and judged == []
    victims = [login(3600 + i * 300, f"victim{i}", ok=False, ip=f"192.0.2.{i % 3 + 2}") for i in range(10)]
    alerts = run(detector, victims)
    assert len(alerts) == 1 and seconds_of(alerts[0]) == 3600 + 7 * 300  # the eighth never-recovered one
    assert len(judged) <= 3 * 3  # judged only from the eighth victim on (per key), not for each colleague
