"""Sponsor-paid orders on a card nobody was seen owning: two strangers of one team suffice when one
of them used to pay with a card of their own; couples and long-ago users stay quiet."""

from __future__ import annotations

import random

import pytest
from fraud_helpers import DAY, commerce, order, run

from detectors.fraud.funding import SponsorPaidOrders


def team_run(seconds: float, boss: str, members: list[str]):
    """The boss's commission names the members as sources: the genealogy the SIEM learns."""
    return commerce(seconds, boss, "commission_calculated", mlm__commission__period="2026-W45",
                    mlm__commission__amount=120.0, mlm__commission__source_ids=members)


def login(seconds: float, who: str, ip: str, device: str):
    return commerce(seconds, who, "login", event__dataset="mlm.auth", mlm__distributor__id=None,
                    source__ip=ip, mlm__device__id=device)


@pytest.mark.parametrize("seed", range(6))
def test_two_strangers_switching_to_one_unseen_card_name_their_upline_at_the_second_order(seed: int):
    rng = random.Random(seed)
    a, b = f"m{rng.randint(100, 199)}", f"m{rng.randint(200, 299)}"
    switcher = rng.choice((a, b))
    events = [team_run(0, "boss", [a, b, "m999"]),
              order(DAY, switcher, "own", rng.uniform(30, 200), card=f"{switcher}-own-card",
                    source__ip=f"192.0.2.{seed + 1}")]
    first = 5 * DAY + rng.uniform(0, DAY)
    second = first + rng.uniform(300, 20 * 3600)
    events += [order(first, a, "pa", 99, card="mystery", source__ip=f"198.51.100.{seed + 1}"),
               order(second, b, "pb", 99, card="mystery", source__ip=f"203.0.113.{seed + 1}")]
    alerts = run(SponsorPaidOrders(), events)
    assert [(al.entity_value, al.event_ids) for al in alerts] == [("boss", [events[-2].id, events[-1].id])]


def test_a_couple_on_a_new_joint_card_who_share_their_home_stays_quiet():
    """One partner paid with their own card before; now both use the joint card, from one home."""
    events = [team_run(0, "boss", ["her", "him"]), login(0, "her", "198.51.100.60", "her-phone"),
              login(10, "him", "198.51.100.60", "his-laptop"),
              order(DAY, "her", "own", 50, card="her-card", source__ip="198.51.100.60"),
              order(3 * DAY, "her", "j1", 99, card="joint", source__ip="198.51.100.60"),
              order(3 * DAY + 600, "him", "j2", 99, card="joint", source__ip="100.64.3.3")]
    assert run(SponsorPaidOrders(), events) == []


def test_without_a_switch_or_a_month_apart_two_users_of_one_card_stay_quiet():
    """Nobody paid otherwise before (a couple we never saw at home); or the first use was long ago."""
    never = [team_run(0, "boss", ["p1", "p2"]), order(DAY, "p1", "x1", 99, card="c1", source__ip="192.0.2.9"),
             order(2 * DAY, "p2", "x2", 99, card="c1", source__ip="203.0.113.9")]
    long_ago = [team_run(0, "boss2", ["q1", "q2"]), order(DAY, "q2", "own", 40, card="q2-card"),
                order(2 * DAY, "q1", "y1", 99, card="c2", source__ip="192.0.2.10"),
                order(60 * DAY, "q2", "y2", 99, card="c2", source__ip="203.0.113.10")]
    assert run(SponsorPaidOrders(), never + long_ago) == []
