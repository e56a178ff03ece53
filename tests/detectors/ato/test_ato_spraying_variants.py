"""Password spraying under outside variations (slow pacing, rotating addresses inside one operator,
browser agents) and the hard negatives (an office NAT with typos, a carrier NAT, a stale script)."""

from __future__ import annotations

import random

import pytest
from ato_helpers import login, run, seconds_of

from detectors.ato.spraying import PasswordSpraying

HOUR = 3600.0
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


def spray(start: float, victims: int, gap: float, seed: int, rotate: bool = False, agent: str = BROWSER) -> list:
    """One try per account, `gap` seconds apart (jittered), from one /24 or rotating /24s of one AS."""
    rng = random.Random(seed)
    out, t = [], start
    for v in range(victims):
        ip = f"100.{64 + rng.randint(0, 60)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}" if rotate \
            else f"45.13.7.{rng.randint(2, 250)}"
        out.append(login(t, f"member{seed}-{v}", ok=False, ip=ip, user_agent__original=agent,
                         source__as__number=64512 + seed, source__as__organization__name="Tiny Hosting Ltd"))
        t += gap * rng.uniform(0.5, 1.5)
    return out


@pytest.mark.parametrize("gap,seed", [(60.0, 1), (15 * 60.0, 2), (HOUR, 3), (2 * HOUR, 4)])
def test_slow_browser_spray_is_found_however_it_is_paced(gap, seed):
    """One try per account, from a minute to two hours apart: found by the eighth account."""
    events = spray(0, 20, gap, seed)
    alerts = run(PasswordSpraying(), events)
    assert len(alerts) == 1, [a.summary for a in alerts]
    assert alerts[0].severity == "high" and alerts[0].entity_type == "ip"
    assert seconds_of(alerts[0]) == pytest.approx(events[PasswordSpraying.min_users - 1].ts - events[0].ts)


def test_spray_rotating_networks_inside_one_operator_is_counted_per_operator():
    alerts = run(PasswordSpraying(), spray(0, 20, 300, 5, rotate=True))
    # One browser agent over many /24s also makes it a one-client spray of the service (oneclient.py).
    per_network = [a for a in alerts if a.rule_id == "mlm-ato-password-spraying"]
    assert len(per_network) == 1 and "operator AS 64517" in per_network[0].summary
    assert [a.rule_id for a in alerts if a not in per_network] == ["mlm-ato-one-client-spray"]


def test_scripted_spray_at_a_fast_pace_alerts_at_the_second_account():
    events = spray(0, 50, 40, 6, agent="python-requests/2.32.3")
    alerts = run(PasswordSpraying(), events)
    assert alerts and seconds_of(alerts[0]) == pytest.approx(events[1].ts - events[0].ts)  # within a minute


def office_day(seed: int, staff: int = 40, typo: float = 0.08) -> list:
    """Forty people behind one NAT address, a few logins each, a few typos, one forgetful soul."""
    rng = random.Random(seed)
    out = []
    for day_hour in range(9):
        for s in range(staff):
            t = day_hour * HOUR + rng.uniform(0, HOUR)
            if rng.random() < typo:
                out.append(login(t, f"staff{s}", ok=False, ip="192.0.2.1", source__as__number=3320))
            out.append(login(t + 12, f"staff{s}", ip="192.0.2.1", source__as__number=3320))
    out += [login(5 * HOUR + k * 30, "forgetful", ok=False, ip="192.0.2.1", source__as__number=3320) for k in range(3)]
    return sorted(out, key=lambda e: e.ts)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_office_nat_with_forty_people_and_typos_stays_quiet(seed):
    assert run(PasswordSpraying(), office_day(seed)) == []


def test_mobile_carrier_nat_with_thousands_of_people_stays_quiet():
    """A carrier-grade NAT: 3,000 people over a day, 5% typos, 1% give up without logging in."""
    rng = random.Random(11)
    events = []
    for p in range(3000):
        t, ip = rng.uniform(0, 20 * HOUR), f"100.70.{rng.randint(0, 3)}.{rng.randint(2, 250)}"
        kind = rng.random()
        if kind < 0.06:
            events.append(login(t, f"mob{p}", ok=False, ip=ip, source__as__number=21928))
        if kind >= 0.01:
            events.append(login(t + 10, f"mob{p}", ip=ip, source__as__number=21928))
    assert run(PasswordSpraying(), sorted(events, key=lambda e: e.ts)) == []


def test_one_script_with_a_stale_password_is_not_spraying():
    stale = [login(i * 300, "sync-bot", ok=False, ip="192.0.2.50", user_agent__original="python-requests/2.31")
             for i in range(50)]
    assert run(PasswordSpraying(), stale) == []


def test_spray_rented_across_several_cloud_providers_adds_up():
    """Ten accounts, each tried once from a different provider's address: no provider sees eight."""
    clouds = ["Amazon.com, Inc.", "OVH SAS", "M247 Europe SRL", "DigitalOcean, LLC", "Hetzner Online GmbH"]
    events = [login(i * 400.0, f"member{i}", ok=False, ip=f"{50 + i}.{i}.3.9", user_agent__original=BROWSER,
                    source__as__organization__name=clouds[i % 5], source__as__number=16509 + i % 5)
              for i in range(10)]
    alerts = [a for a in run(PasswordSpraying(), events) if a.rule_id == "mlm-ato-password-spraying"]
    assert len(alerts) == 1 and "hosting and VPN operators" in alerts[0].summary
    assert seconds_of(alerts[0]) == pytest.approx(7 * 400.0)


def test_vpn_members_typing_wrong_once_then_logging_in_stay_quiet():
    events = []
    for i in range(30):
        ip = f"{50 + i % 7}.{i}.3.9"
        org = {"source__as__organization__name": "NordVPN", "source__as__number": 9009}
        events += [login(i * 600.0, f"vpn{i}", ok=False, ip=ip, **org), login(i * 600.0 + 15, f"vpn{i}", ip=ip, **org)]
    assert run(PasswordSpraying(), events) == []


def test_alert_names_the_address_behind_the_stuck_accounts_not_a_members_typos():
    """A member behind a cloud VPN mistypes four times; meanwhile a sprayer on another cloud address
    tries eight accounts once each. The alert names the sprayer's address."""
    org = {"source__as__organization__name": "Amazon.com, Inc.", "source__as__number": 16509}
    member = [login(i * 5.0, "vpnmember", ok=False, ip="52.1.1.1", **org) for i in range(4)]
    sprayer = [login(100 + i * 60.0, f"member{i}", ok=False, ip="54.2.2.2", user_agent__original=BROWSER, **org)
               for i in range(8)]
    alerts = run(PasswordSpraying(), member + sprayer)
    assert alerts and {a.entity_value for a in alerts} == {"54.2.2.2"}
