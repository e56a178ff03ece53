"""Shared bank accounts: an address many accounts use (a carrier NAT, an office, a venue) is no household."""

from __future__ import annotations

import random

import pytest
from fraud_helpers import DAY, commerce, enroll, run, seconds_of

from detectors.fraud.payments import SharedBankAccounts
from detectors.fraud.traits import Crowds


def login(seconds: float, dist: str, ip: str, device: str):
    return commerce(seconds, dist, "login", event__dataset="mlm.auth", mlm__distributor__id=None, source__ip=ip,
                    mlm__device__id=device)


def bank_change(seconds: float, dist: str, bank: str, ip: str, device: str):
    return commerce(seconds, dist, "bank_account_changed", event__dataset="mlm.audit", mlm__bank__fingerprint=bank,
                    mlm__bank__previous_fingerprint=f"own-{dist}", source__ip=ip, mlm__device__id=device)


def carrier_day(rng: random.Random, nat: str, users: list[str]) -> list:
    """Members of one mobile carrier passing through its NAT address at random hours of two days."""
    return [login(rng.uniform(0, 2 * DAY), u, nat, f"phone-{u}") for u in users]


@pytest.mark.parametrize("seed", range(5))
def test_strangers_who_only_shared_a_carrier_nat_alert_at_the_second_holder(seed: int):
    rng = random.Random(seed)
    nat = f"100.{rng.randint(64, 127)}.{rng.randint(0, 255)}.1"
    crowd = [f"c{i}" for i in range(rng.randint(5, 40))]
    a, b = rng.sample(crowd, 2)
    first = 3 * DAY + rng.uniform(0, DAY)
    second = first + rng.uniform(600, 20_000)
    events = sorted(carrier_day(rng, nat, crowd), key=lambda e: e.ts) + [
        bank_change(first, a, "mule", f"198.51.100.{seed + 10}", f"laptop-{a}"),
        bank_change(second, b, "mule", f"203.0.113.{seed + 10}", f"laptop-{b}"),
    ]
    alerts = run(SharedBankAccounts(), events)
    assert [a.rule_id for a in alerts] == ["mlm-fraud-shared-bank"]
    assert seconds_of(alerts[0]) == pytest.approx(second, abs=1e-3)  # the second holder is the evidence
    assert "a stranger's" in alerts[0].summary


def test_a_familys_home_address_still_ties_its_members():
    """Four accounts of one home (up to CROWD) on its address at different hours: two join one account."""
    home = [login(i * 7 * 3600, f"fam{i}", "198.51.100.44", f"dev-fam{i}") for i in range(4)]
    events = home + [bank_change(DAY, "fam0", "joint", "198.51.100.44", "dev-fam0"),
                     bank_change(DAY + 900, "fam3", "joint", "192.0.2.8", "dev-fam3")]
    assert run(SharedBankAccounts(), events) == []


def test_spouses_on_a_carrier_nat_who_share_their_home_stay_quiet():
    rng = random.Random(11)
    crowd = [f"c{i}" for i in range(30)]
    events = sorted(carrier_day(rng, "100.70.1.1", [*crowd, "wife", "husband"]), key=lambda e: e.ts)
    events += [login(2 * DAY + 10, "wife", "198.51.100.9", "phone-wife"),
               login(2 * DAY + 20, "husband", "198.51.100.9", "phone-husband"),
               bank_change(3 * DAY, "wife", "joint", "198.51.100.9", "phone-wife"),
               bank_change(3 * DAY + 600, "husband", "joint", "198.51.100.9", "phone-husband")]
    assert run(SharedBankAccounts(), events) == []


def test_a_couple_enrolled_together_at_a_meeting_with_their_joint_account_stays_quiet():
    """The venue's wifi serves a room of recruits; the couple arrived together and gave one bank."""
    rng = random.Random(5)
    room = [enroll(rng.uniform(0, 5400), f"g{i}", "host", ip="203.0.113.77", device=f"phone-g{i}")
            for i in range(25)]
    couple = [enroll(2000, "her", "host", ip="203.0.113.77", device="phone-her", bank="joint"),
              enroll(2300, "him", "host", ip="203.0.113.77", device="phone-him", bank="joint")]
    events = sorted(room + couple, key=lambda e: e.ts)
    assert run(SharedBankAccounts(), events) == []


def test_address_counts_are_bounded_and_survive_one_generation():
    """Counts live in two generations of `cap` keys: memory stays flat, a busy address keeps its count."""
    crowds = Crowds(cap=100)
    for _ in range(6):
        crowds.add("ip:100.64.0.1")
    for i in range(1000):
        crowds.add(f"ip:192.0.2.{i}")
        assert len(crowds.current) + len(crowds.previous) <= 200
    assert crowds.count("ip:100.64.0.1") == 0  # long gone: two generations ago
    crowds.add("ip:100.64.0.2")
    crowds.add("ip:100.64.0.2")
    for i in range(99):
        crowds.add(f"ip:198.51.100.{i}")  # one generation flips
    assert crowds.count("ip:100.64.0.2") == 2
    crowds.add("ip:100.64.0.2")
    assert crowds.count("ip:100.64.0.2") == 3
