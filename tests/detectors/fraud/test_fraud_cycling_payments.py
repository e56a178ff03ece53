"""Order cycling and shared bank accounts: positives and hard negatives (sponsor-paid orders: test_fraud_funding.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from builders import T0
from fraud_helpers import DAY, commerce, enroll, order, refund, run, seconds_of

from detectors.fraud.cycling import OrderCycling, period_bounds
from detectors.fraud.payments import SharedBankAccounts


def at(year: int, month: int, day: int, hour: int = 12) -> float:
    """Seconds after T0 (2026-11-02 09:00 UTC) of a calendar moment."""
    return (datetime(year, month, day, hour, tzinfo=UTC) - T0).total_seconds()


def usual_orders(dist: str) -> list:
    return [order(at(2026, 11, 5), dist, f"{dist}-o1", 100), order(at(2026, 11, 12), dist, f"{dist}-o2", 100)]


def test_outsized_order_before_close_refunded_after_commissions_alerts():
    d = "dan"
    events = usual_orders(d) + [
        order(at(2026, 11, 30, 20), d, "big", 1000),
        commerce(at(2026, 12, 1, 6), d, "commission_calculated", mlm__commission__period="2026-11",
                 mlm__commission__amount=800.0),
        refund(at(2026, 12, 2), d, "big"),
    ]
    alerts = run(OrderCycling(), events)
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.entity_type, a.entity_value) == ("distributor", "dan") and "attack.t1657" in a.tags
    assert a.event_ids == [events[2].id, events[4].id]
    assert seconds_of(a) == at(2026, 12, 2)
    assert "outsized" in a.summary and "refunded within a week" in a.summary


def test_upline_benefit_counts_through_commission_sources():
    events = usual_orders("kid") + [
        order(at(2026, 11, 29), "kid", "big", 900),
        commerce(at(2026, 12, 1, 6), "boss", "commission_calculated", mlm__commission__period="2026-11",
                 mlm__commission__amount=500.0, mlm__commission__source_ids=["kid"]),
        commerce(at(2026, 12, 1, 7), "kid", "rank_changed", mlm__rank__previous="silver", mlm__rank__current="gold"),
        refund(at(2026, 12, 20), "kid", "big"),
    ]
    alerts = run(OrderCycling(), events)
    assert len(alerts) == 1 and "rank gained" in alerts[0].summary


def test_weekly_run_before_the_calendar_end_closes_the_period():
    """A run labelled with the current ISO week closes it early: orders just before count as late."""
    d = "wes"
    # Other members' everyday orders set the population's usual size (wes has one order before the close).
    events = [o for who in ("ann", "ben", "cal") for o in usual_orders(who)] + usual_orders(d)
    events += [order(at(2026, 11, 9, 18) + i * 600, d, f"w{i}", 400) for i in range(3)]
    events += [commerce(at(2026, 11, 9, 23), d, "commission_calculated", mlm__commission__period="2026-W46",
                        mlm__commission__amount=300.0),
               refund(at(2026, 11, 11), d, "w0"), refund(at(2026, 11, 11, 13), d, "w1")]
    alerts = run(OrderCycling(), events)
    assert len(alerts) == 1  # one alert per distributor and period, however many refunds
    assert "outsized" in alerts[0].summary


def test_ordinary_refunds_stay_quiet():
    calc = commerce(at(2026, 12, 1, 6), "eve", "commission_calculated", mlm__commission__period="2026-11",
                    mlm__commission__amount=90.0)
    usual_size_late = usual_orders("eve") + [order(at(2026, 11, 30), "eve", "late", 100), calc,
                                             refund(at(2026, 12, 3), "eve", "late")]
    mid_month = usual_orders("fay") + [order(at(2026, 11, 15), "fay", "mid", 1000),
                                       refund(at(2026, 12, 3), "fay", "mid")]
    before_calc = usual_orders("gus") + [order(at(2026, 11, 30), "gus", "x", 1000), refund(at(2026, 11, 30, 22), "gus", "x")]
    unknown = [refund(at(2026, 12, 3), "hal", "never-seen")]
    assert run(OrderCycling(), usual_size_late + mid_month + before_calc + unknown) == []


def test_one_small_return_out_of_three_closing_week_top_ups_stays_quiet():
    """Three ordinary top-ups in the closing stretch and the smallest returned soon after the run: a
    money-back refund, not cycling (neither the returned order nor the returns stand out)."""
    d = "ida"
    events = [o for who in ("ann", "ben", "cal") for o in usual_orders(who)] + usual_orders(d)
    events += [order(at(2026, 11, 29, 10), d, "t1", 120), order(at(2026, 11, 29, 20), d, "t2", 48),
               order(at(2026, 11, 30, 9), d, "t3", 110),
               commerce(at(2026, 12, 1, 6), d, "commission_calculated", mlm__commission__period="2026-11",
                        mlm__commission__amount=60.0),
               refund(at(2026, 12, 3), d, "t2")]
    assert run(OrderCycling(), events) == []


def test_period_bounds_parse_months_weeks_and_refuse_junk():
    start, close = period_bounds("2026-12")
    assert datetime.fromtimestamp(close, tz=UTC) == datetime(2027, 1, 1, tzinfo=UTC)
    start, close = period_bounds("2026-W47")
    assert close - start == 7 * DAY
    assert period_bounds("2026-99") is None and period_bounds("99999999999999999999-01") is None


def bank_change(seconds: float, dist: str, bank: str, previous: str | None = None, ip: str = "203.0.113.10",
                device: str | None = None):
    return commerce(seconds, dist, "bank_account_changed", event__dataset="mlm.audit", mlm__bank__fingerprint=bank,
                    mlm__bank__previous_fingerprint=previous, source__ip=ip, mlm__device__id=device)


def login(seconds: float, dist: str, ip: str, device: str):
    return commerce(seconds, dist, "login", event__dataset="mlm.auth", mlm__distributor__id=None, source__ip=ip,
                    mlm__device__id=device)


def test_bank_account_shared_from_one_address_alerts_beyond_a_family_and_on_doubling():
    """Nine accounts joining one bank from one address: a family shares that with three, not four."""
    events = [bank_change(i * 60, f"v{i}", "mule-bank") for i in range(9)]
    alerts = run(SharedBankAccounts(), events)
    assert [seconds_of(a) for a in alerts] == [180, 420]  # 4 holders, then 8
    assert {a.entity_value for a in alerts} == {"v0"}  # the first holder names every alert: one incident
    assert alerts[0].severity == "medium" and alerts[1].severity == "high"
    assert len(alerts[1].event_ids) == 8 and "v7" in alerts[1].summary


def test_strangers_pointing_payouts_at_one_account_alert_at_the_second():
    rng = random.Random(3)
    gaps = [rng.uniform(600, 4 * 3600) for _ in range(8)]
    events = [bank_change(sum(gaps[:i]), f"m{i}", "mule", previous=f"own{i}", ip=f"192.0.2.{10 + i}",
                          device=f"dev-m{i}") for i in range(8)]
    alerts = run(SharedBankAccounts(), events)
    assert [a.extra["mlm_siem"]["members"][-1] for a in alerts] == ["m1", "m3", "m7"]  # 2, then doubling
    assert seconds_of(alerts[0]) == pytest.approx(gaps[0], abs=1e-3)  # the second holder, not hours later
    assert "a stranger's" in alerts[0].summary
    assert {a.entity_value for a in alerts} == {"m0"}


def test_spouses_joining_one_account_stay_quiet():
    """A recruit enrolled by a spouse, or a partner seen at the same home address, joins the joint account."""
    enrolled = [enroll(0, "hus", "up", bank="joint", ip="198.51.100.7"),
                enroll(50, "wif", "hus", bank="own-w", ip="192.0.2.99", device="phone-w"),
                bank_change(900, "wif", "joint", previous="own-w", ip="192.0.2.99", device="phone-w")]
    home = [login(0, "ann", "198.51.100.8", "laptop-a"), bank_change(10, "ann", "home-acct", ip="198.51.100.8"),
            login(20, "bob", "198.51.100.8", "phone-b"), bank_change(30, "bob", "home-acct", ip="192.0.2.5",
                                                                   device="phone-b")]
    assert run(SharedBankAccounts(), enrolled + home) == []


def test_households_and_moved_accounts_stay_quiet():
    couples = [e for h in range(100) for e in (enroll(h, f"a{h}", "s", bank=f"home{h}"),
                                               enroll(h + 0.5, f"b{h}", f"a{h}", bank=f"home{h}"))]
    # a1 leaves the joint account, then b1's new partner (seen at b1's address) joins it: two holders.
    moved = [bank_change(500, "a1", "new-bank", previous="home1"), bank_change(501, "x1", "home1", ip="198.51.100.20")]
    det = SharedBankAccounts()
    assert run(det, couples + moved) == []
    assert list(det.banks.get("home1", 600).members) == ["b1", "x1"]


def test_payouts_alone_reveal_old_sharing_only_beyond_a_household():
    """Accounts shared before the SIEM watched show up in payouts: two is a household, three is not."""
    payouts = [commerce(i * 10, f"p{i}", "payout_requested", mlm__payout__id=f"po{i}", mlm__payout__amount=50.0,
                        mlm__bank__fingerprint="old-joint", source__ip=f"192.0.2.{i}") for i in range(3)]
    alerts = run(SharedBankAccounts(), payouts)
    assert [seconds_of(a) for a in alerts] == [20]


def test_refund_after_the_run_alerts_even_when_no_commission_names_the_buyer():
    """Source lists stop at 50 names: the run itself paid on the period's volume."""
    events = usual_orders("ivy") + [
        order(at(2026, 11, 30, 15), "ivy", "big", 700),
        commerce(at(2026, 11, 30, 23), "boss", "commission_calculated", mlm__commission__period="2026-11",
                 mlm__commission__amount=900.0, mlm__commission__source_ids=[f"x{i}" for i in range(50)]),
        refund(at(2026, 12, 1, 20), "ivy", "big"),
    ]
    alerts = run(OrderCycling(), events)
    assert [(a.entity_value, a.rule_id) for a in alerts] == [("ivy", "mlm-fraud-order-cycling")]
    assert "outsized" in alerts[0].summary and "refunded within a week" in alerts[0].summary


def test_ring_accounts_sharing_a_bank_are_named_by_their_operator():
    """Fresh recruits (some enrolled by each other) on one bank: the alert names who brought them in."""
    ring = [enroll(i * 600, f"f{i}", "op" if i % 2 == 0 or i == 1 else f"f{i - 1}", bank="ring-bank",
                   ip=f"192.0.2.{i}", device=f"dev-f{i}") for i in range(5)]
    old = [bank_change(10 * DAY + i, f"old{i}", "shared", ip=f"198.18.0.{i}", device=f"d-old{i}") for i in range(2)]
    alerts = run(SharedBankAccounts(), ring + old)
    assert {a.entity_value for a in alerts if "f1" in a.extra["mlm_siem"]["members"]} == {"op"}
    assert [a.entity_value for a in alerts if "old1" in a.extra["mlm_siem"]["members"]] == ["old0"]
