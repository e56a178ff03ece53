"""Rings caught at their 2nd/3rd look-alike enrollment, named by their operator; households and
meetings of every size stay quiet. Sizes and timings vary with fixed seeds."""

from __future__ import annotations

import random

import pytest
from fraud_helpers import enroll, order, run, seconds_of

from core.event import Event
from detectors.base import DetectorConfig
from detectors.fraud import build
from detectors.fraud.bursts import EnrollmentBursts

THROWAWAY = ("mailinator.com", "guerrillamail.com", "yopmail.com")


def ring(rng: random.Random, boss: str = "boss", start: float = 0.0) -> list[Event]:
    """One operator: a few laptops and bank accounts, one /24, throwaway mail, each fake sponsoring
    the next or the boss, and an order from each a few minutes after it joins."""
    devices, banks = rng.randint(1, 3), rng.randint(1, 2)
    net, ts, parent, events = f"203.0.{rng.randint(1, 250)}", start, boss, []
    for i in range(rng.randint(3, 14)):
        fake = f"{boss}-f{i}"
        dev = f"{boss}-laptop{i % devices}" if i else f"{boss}-laptop0"
        bank = f"{boss}-bank{rng.randrange(banks)}" if i else f"{boss}-bank0"
        events.append(enroll(ts, fake, parent if rng.random() < 0.5 else boss, device=dev, bank=bank,
                             ip=f"{net}.{rng.randint(2, 250)}", domain=rng.choice(THROWAWAY), parent=parent))
        events.append(order(ts + 100, fake, f"{fake}-o", 110, card=f"{boss}-card"))
        parent, ts = fake, ts + rng.uniform(60, 900)
    return sorted(events, key=lambda e: e.ts)


def every_fraud_detector(events: list[Event]) -> list:
    detectors = build(DetectorConfig())
    alerts = []
    for event in events:
        for detector in detectors:
            alerts.extend(detector.process(event))
    return alerts


@pytest.mark.parametrize("seed", range(8))
def test_ring_of_any_size_and_pace_alerts_by_its_third_enrollment_naming_the_boss(seed):
    rng = random.Random(seed)
    events = ring(rng)
    enrollments = [e for e in events if e.flat["event.action"] == "distributor_enrolled"]
    alerts = every_fraud_detector(events)
    assert alerts, "the ring went unnoticed"
    assert min(a.timestamp for a in alerts) <= enrollments[2].flat["@timestamp"]
    # Every ring alert names the boss (one incident), except sponsor-paid orders naming whoever
    # used the shared card first; bursts alert once in the window however big the ring grows.
    ring_rules = {"mlm-fraud-enrollment-burst", "mlm-fraud-linked-accounts"}
    assert {a.entity_value for a in alerts if a.rule_id in ring_rules} == {"boss"}
    assert sum(a.rule_id == "mlm-fraud-enrollment-burst" for a in alerts) == 1
    assert all(len(a.event_ids) <= 100 for a in alerts)


def test_two_lookalikes_with_a_shared_laptop_and_throwaway_mail_alert_at_the_second():
    pair = [enroll(0, "n1", "op", device="lap", bank="b1", ip="203.0.113.7", domain="yopmail.com"),
            enroll(400, "n2", "n1", device="lap", bank="b2", ip="203.0.113.9", domain="gmail.com", parent="n1")]
    alerts = run(EnrollmentBursts(), pair)
    assert [(a.entity_value, seconds_of(a)) for a in alerts] == [("op", 400)]
    assert "throwaway mail" in alerts[0].summary and "devices or banks" in alerts[0].summary


def test_couples_and_families_joining_together_stay_quiet():
    """Spouses or a parent and grown children signing up at home on one computer, one joint account."""
    homes = []
    for h in range(40):
        kids = [enroll(h * 5000 + k * 300, f"h{h}-{k}", f"rec{h}", device=f"pc{h}", bank=f"joint{h}",
                       ip=f"198.51.{h}.20", domain=("gmail.com", "outlook.com", "smith-family.net")[k % 3],
                       parent=f"h{h}-{k - 1}" if k else None) for k in range(3)]
        homes += kids
    assert run(EnrollmentBursts(), homes) == []


@pytest.mark.parametrize("size", [2, 3, 5, 12, 30])
def test_meetings_of_any_size_stay_quiet(size):
    """One venue Wi-Fi, one sponsor, some bringing a spouse on one phone, a few on throwaway mail."""
    rng = random.Random(size)
    events = []
    for i in range(size):
        guest = f"g{i}"
        events.append(enroll(i * rng.uniform(60, 400), guest, "leader", device=f"phone{i}", bank=f"bank{i}",
                             ip="198.51.100.200", domain=rng.choice(("gmail.com", "yahoo.com", "mailinator.com"))))
        if i % 4 == 1:  # a couple: the spouse joins under the guest on the guest's phone, joint account
            events.append(enroll(i * 400 + 30, f"{guest}s", guest, device=f"phone{i}", bank=f"bank{i}",
                                 ip="198.51.100.200", domain="gmail.com", parent=guest))
    events.sort(key=lambda e: e.ts)
    alerts = every_fraud_detector(events)
    assert [a for a in alerts if a.rule_id in {"mlm-fraud-enrollment-burst", "mlm-fraud-linked-accounts"}] == []
