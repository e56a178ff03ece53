"""Sponsor-paid orders: an upline's card buying the downline's qualification, and the households
(one partner's card paying both partners' orders) that must stay quiet."""

from __future__ import annotations

import random

import pytest
from fraud_helpers import DAY, commerce, enroll, order, run, seconds_of

from detectors.fraud.funding import SponsorPaidOrders


def login(seconds: float, who: str, ip: str, device: str):
    return commerce(seconds, who, "login", event__dataset="mlm.auth", mlm__distributor__id=None,
                    source__ip=ip, mlm__device__id=device)


def order_on(seconds: float, dist: str, order_id: str, card: str, device: str, ip: str):
    """An order placed from a given computer and address."""
    return commerce(seconds, dist, "order_placed", mlm__order__id=order_id, mlm__order__amount=99.0,
                    mlm__order__currency="USD", mlm__order__pv=80.0, mlm__payment__fingerprint=card,
                    mlm__device__id=device, source__ip=ip)


def test_family_card_paying_for_the_family_is_quiet_until_a_stranger_is_paid_for():
    """A family business on one bank account: the sponsor's card pays for two family members
    (quiet, however often), then for a recruit outside the household (alert)."""
    tree = [enroll(0, "sp", "top", bank="fam"), enroll(0, "d1", "sp", bank="fam"), enroll(1, "d2", "sp"),
            enroll(2, "d3", "d1", bank="fam")]
    family = [order(10, "sp", "o-own", 100, card="card-sp"), order(20, "d1", "o1", 100, card="card-sp"),
              order(30, "d3", "o3", 100, card="card-sp")]  # d3 is two levels down
    family += [order(40 + i, "d1", f"again{i}", 100, card="card-sp") for i in range(4)]
    stranger = [order(100, "d2", "o2", 100, card="card-sp", source__ip="192.0.2.44")]
    det = SponsorPaidOrders()
    assert run(det, tree + family) == []
    alerts = run(det, stranger)
    assert [(a.entity_value, a.event_ids[-1]) for a in alerts] == [("sp", stranger[0].id)]
    assert len(alerts[0].event_ids) == 7  # the family's paid orders are in the evidence too


def test_sponsor_signed_in_as_the_recruit_from_their_own_computer_alerts_at_once():
    """The sponsor buys in the recruit's account from the sponsor's own laptop: sharing it only
    since today makes no household (a spouse shares it from long before), and it is a second sign."""
    events = [login(0, "boss", "198.51.100.9", "boss-laptop"), order(10, "boss", "own", 80, card="boss-card"),
              enroll(20, "leg", "boss", ip="192.0.2.60"), login(3 * DAY, "leg", "198.51.100.9", "boss-laptop"),
              order_on(3 * DAY + 60, "leg", "paid", "boss-card", "boss-laptop", "198.51.100.9")]
    spouse = [login(0, "ann", "198.51.100.30", "home-pc"), login(0, "ben", "198.51.100.30", "home-pc"),
              enroll(5, "ben", "ann", ip="198.51.100.30"), order(10, "ann", "own-a", 80, card="ann-card"),
              order(3 * DAY, "ben", "paid-b", 99, card="ann-card", source__ip="198.51.100.30")]
    alerts = run(SponsorPaidOrders(), sorted(events + spouse, key=lambda e: e.ts))
    assert [(a.entity_value, a.event_ids) for a in alerts] == [("boss", [events[-1].id])]


@pytest.mark.parametrize("own_card", [True, False])
def test_sponsor_card_paying_one_recruit_alerts_only_with_a_second_sign(own_card):
    """A recruit who paid for themselves before, now on the sponsor's card: someone buys their
    qualification (alert). A recruit who never paid otherwise may be the sponsor's partner (quiet)."""
    tree = [enroll(0, "sp", "top", ip="198.51.100.5"), enroll(1, "far", "sp", ip="192.0.2.77")]
    before = [order(5, "far", "self", 40, card="far-card", source__ip="192.0.2.77")] if own_card else []
    orders = [order(10, "sp", "o-own", 100, card="card-sp", source__ip="198.51.100.5"),
              order(20, "far", "o1", 100, card="card-sp", source__ip="192.0.2.77")]
    alerts = run(SponsorPaidOrders(), tree + before + orders)
    assert [(a.entity_value, a.event_ids) for a in alerts] == ([("sp", [orders[1].id])] if own_card else [])


def test_partner_paying_the_partners_orders_stays_quiet_for_months():
    """One partner's card pays both partners' orders; the other was enrolled under the first and
    orders on their own phone from a mobile network: no shared home or bank is visible."""
    events = [enroll(0, "wife", "husband", ip="192.0.2.31", device="wife-phone"),
              order(DAY, "husband", "h1", 120, card="joint-card", source__ip="198.51.100.41")]
    events += [order(2 * DAY + i * 9 * DAY, "wife", f"w{i}", 60, card="joint-card", source__ip=f"100.64.0.{i}")
               for i in range(6)]
    assert run(SponsorPaidOrders(), events) == []


def test_card_first_used_by_the_downline_partner_is_theirs():
    """The recruit's own card, later used by their sponsor (spouse) too: nobody pays for anyone."""
    events = [enroll(0, "kid", "mum", ip="192.0.2.50"), order(DAY, "kid", "k1", 30, card="kid-card"),
              order(2 * DAY, "mum", "m1", 120, card="kid-card"), order(3 * DAY, "kid", "k2", 30, card="kid-card"),
              order(4 * DAY, "kid", "k3", 30, card="other-kid-card")]
    assert run(SponsorPaidOrders(), events) == []


def test_couple_under_one_sponsor_sharing_a_card_is_no_sponsor_paying():
    """Two siblings (a couple both enrolled by the same sponsor) on one card the sponsor never
    used: quiet. A third account below that sponsor on the same card: the sponsor's card."""
    tree = [enroll(0, "p1", "boss", ip="198.51.100.5"), enroll(1, "p2", "boss", ip="192.0.2.77"),
            enroll(2, "p3", "boss", ip="203.0.113.9")]
    couple = [order(10, "p1", "o1", 100, card="their-card", source__ip="198.51.100.5"),
              order(DAY, "p2", "o2", 100, card="their-card", source__ip="192.0.2.77"),
              order(2 * DAY, "p1", "o3", 100, card="their-card", source__ip="198.51.100.5")]
    det = SponsorPaidOrders()
    assert run(det, tree + couple) == []
    third = order(3 * DAY, "p3", "o4", 100, card="their-card", source__ip="203.0.113.9")
    alerts = run(det, [third])
    assert [(a.entity_value, a.event_ids) for a in alerts] == [("boss", [couple[0].id, couple[1].id, third.id])]


def test_uplines_are_learned_from_commission_sources_too():
    """Accounts enrolled before the SIEM watched: the boss's commissions name them as sources."""
    run_ = [commerce(0, "boss", "commission_calculated", mlm__commission__period="2026-W45",
                     mlm__commission__amount=90.0, mlm__commission__source_ids=["x1", "x2", "x3"])]
    orders = [order(10 + i, f"x{i + 1}", f"o{i}", 100, card="boss-card", source__ip=f"192.0.2.{i}") for i in range(3)]
    alerts = run(SponsorPaidOrders(), run_ + orders)
    assert [(a.entity_value, len(a.event_ids)) for a in alerts] == [("boss", 3)]


def test_spouse_paying_for_spouse_stays_quiet():
    """Husband and wife share a bank account and a card."""
    events = [enroll(0, "husband", "top", bank="joint"), enroll(1, "wife", "husband", bank="joint"),
              order(10, "husband", "o1", 100, card="family-card"),
              order(20, "wife", "o2", 100, card="family-card"), order(40 * DAY, "wife", "o3", 100, card="family-card")]
    strangers = [order(50 + i, f"z{i}", f"oz{i}", 10, card=f"c{i}") for i in range(20)]
    assert run(SponsorPaidOrders(), events + strangers) == []


def test_a_shared_payout_account_makes_a_household():
    """Payouts name no user, only the distributor paid: a joint payout account still ties a couple."""
    def payout(seconds: float, dist: str):
        return commerce(seconds, dist, "payout_requested", user__id=None, mlm__payout__id=f"po-{dist}",
                        mlm__payout__amount=50.0, mlm__bank__fingerprint="joint-bank")

    events = [enroll(0, "her", "him", ip="192.0.2.8", device="her-phone"), payout(DAY, "him"), payout(DAY, "her"),
              order(2 * DAY, "him", "h1", 80, card="his-card"), order(3 * DAY, "her", "s0", 40, card="her-card"),
              order(4 * DAY, "her", "s1", 90, card="his-card", source__ip="192.0.2.8")]
    assert run(SponsorPaidOrders(), events) == []


@pytest.mark.parametrize("seed", range(8))
def test_sponsor_paying_downline_orders_alerts_at_the_first_sound_order(seed):
    """A sponsor's card pays 3-8 downline orders at random gaps. It alerts at the first order when
    the sponsor used the card before and the recruit had paid with their own card; at the second
    when the recruits never paid otherwise; at the third when the sponsor never used the card."""
    rng = random.Random(seed)
    known, own_cards = seed % 3 != 2, seed % 3 == 0
    team = [f"s{seed}-r{i}" for i in range(rng.randint(3, 8))]
    events = [enroll(0, "spx", "top", ip="198.51.100.5", device="spx-pc")]
    events += [enroll(1 + i, r, "spx", ip=f"192.0.2.{i + 1}") for i, r in enumerate(team)]
    if own_cards:
        events += [order(20 + i, r, f"self{i}", 30, card=f"{r}-card", source__ip=f"192.0.2.{i + 1}")
                   for i, r in enumerate(team)]
    if known:
        events.append(order(100, "spx", "own", 90, card="spx-card", source__ip="198.51.100.5"))
    ts, paid = 1000.0, []
    for i, r in enumerate(team):
        paid.append(order(ts, r, f"p{i}", 100, card="spx-card", source__ip=f"192.0.2.{i + 1}"))
        ts += rng.uniform(300, 7200)
    alerts = run(SponsorPaidOrders(), events + paid)
    assert [a.entity_value for a in alerts] == ["spx"]  # one alert per paid-for window
    first = 0 if own_cards else 1 if known else 2
    assert seconds_of(alerts[0]) == pytest.approx(paid[first].ts - events[0].ts, abs=1e-3)


def test_couples_card_names_the_partner_at_the_keyboard():
    """A couple shares a card and a payout account; the partner who sponsored the recruit (not the
    one who used the card first) buys in the recruit's account from their own computer."""
    def payout(seconds: float, dist: str):
        return commerce(seconds, dist, "payout_requested", user__id=None, mlm__payout__id=f"po-{dist}",
                        mlm__payout__amount=50.0, mlm__bank__fingerprint="couple-bank")

    events = [enroll(0, "him", "her", ip="198.51.100.60", device="his-pc"),
              enroll(10, "kid", "him", ip="192.0.2.61", device="kid-phone"),
              order(DAY, "her", "h1", 80, card="couple-card", source__ip="198.51.100.60"),
              commerce(DAY + 60, "him", "login", event__dataset="mlm.auth", mlm__distributor__id=None,
                       source__ip="198.51.100.60", mlm__device__id="his-pc"),
              order(DAY + 90, "him", "m1", 80, card="couple-card", source__ip="198.51.100.60"),
              payout(2 * DAY, "her"), payout(2 * DAY, "him"),
              commerce(5 * DAY, "kid", "login", event__dataset="mlm.auth", mlm__distributor__id=None,
                       source__ip="198.51.100.60", mlm__device__id="his-pc"),
              order_on(5 * DAY + 60, "kid", "paid", "couple-card", "his-pc", "198.51.100.60")]
    alerts = run(SponsorPaidOrders(), events)
    assert [(a.entity_value, a.event_ids) for a in alerts] == [("him", [events[-1].id])]


@pytest.mark.parametrize(("device", "alerts"), [("boss-pc", 1), ("leg-phone", 0)])
def test_a_card_new_to_everyone_is_the_uplines_when_their_computer_places_the_order(device, alerts):
    """A card nobody used before: the upline signed in as the recruit on the upline's own computer
    (alert, at the first order); the recruit ordering on their own phone after that visit (quiet)."""
    events = [login(0, "boss", "198.51.100.70", "boss-pc"), enroll(10, "leg", "boss", ip="192.0.2.70", device="leg-phone"),
              login(2 * DAY, "leg", "198.51.100.70", "boss-pc"), login(2 * DAY + 5, "leg", "192.0.2.70", "leg-phone"),
              order_on(2 * DAY + 60, "leg", "o1", "fresh-card", device, "198.51.100.70")]
    found = run(SponsorPaidOrders(), events)
    assert [(a.entity_value, a.event_ids) for a in found] == [("boss", [events[-1].id])] * alerts


def test_child_signed_up_on_the_family_computer_buying_on_the_parents_new_card_stays_quiet():
    """An account born on the family computer lives there: the parent's card paying its first
    order from that computer is no one signing in as someone else."""
    events = [login(3 * DAY - 3600, "mum", "198.51.100.80", "home-pc"),  # seen only today: no household yet
              enroll(3 * DAY, "son", "mum", ip="198.51.100.80", device="home-pc"),
              order_on(3 * DAY + 600, "son", "kit", "mum-new-card", "home-pc", "198.51.100.80")]
    assert run(SponsorPaidOrders(), events) == []
