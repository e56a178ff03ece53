"""Order cycling, shared bank accounts and sponsor-paid orders: positives and hard negatives."""

from __future__ import annotations

from datetime import UTC, datetime

from builders import T0
from fraud_helpers import DAY, commerce, enroll, order, refund, run, seconds_of

from detectors.fraud.cycling import OrderCycling, period_bounds
from detectors.fraud.funding import SponsorPaidOrders
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
    events = usual_orders(d) + [order(at(2026, 11, 9, 18) + i * 600, d, f"w{i}", 400) for i in range(3)]
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


def test_period_bounds_parse_months_weeks_and_refuse_junk():
    start, close = period_bounds("2026-12")
    assert datetime.fromtimestamp(close, tz=UTC) == datetime(2027, 1, 1, tzinfo=UTC)
    start, close = period_bounds("2026-W47")
    assert close - start == 7 * DAY
    assert period_bounds("2026-99") is None and period_bounds("99999999999999999999-01") is None


def bank_change(seconds: float, dist: str, bank: str, previous: str | None = None):
    return commerce(seconds, dist, "bank_account_changed", event__dataset="mlm.audit", mlm__bank__fingerprint=bank,
                    mlm__bank__previous_fingerprint=previous)


def test_bank_account_shared_beyond_a_household_alerts_on_third_and_doubling():
    events = [bank_change(i * 60, f"v{i}", "mule-bank") for i in range(7)]
    alerts = run(SharedBankAccounts(), events)
    assert [a.entity_value for a in alerts] == ["v2", "v5"]  # 3 holders, then 6
    assert alerts[0].severity == "medium" and alerts[1].severity == "high"
    assert len(alerts[1].event_ids) == 6


def test_households_and_moved_accounts_stay_quiet():
    couples = [e for h in range(100) for e in (enroll(h, f"a{h}", "s", bank=f"home{h}"),
                                               enroll(h + 0.5, f"b{h}", f"a{h}", bank=f"home{h}"))]
    moved = [bank_change(500, "a1", "new-bank", previous="home1"), bank_change(501, "x1", "home1")]
    assert run(SharedBankAccounts(), couples + moved) == []


def test_sponsor_card_paying_several_downline_orders_alerts_sponsor():
    """A family business on one bank account: it takes a second downline member to alert."""
    tree = [enroll(0, "sp", "top", bank="fam"), enroll(0, "d1", "sp", bank="fam"), enroll(1, "d2", "sp"),
            enroll(2, "d3", "d1", bank="fam")]
    orders = [order(10, "sp", "o-own", 100, card="card-sp"), order(20, "d1", "o1", 100, card="card-sp"),
              order(30, "d3", "o3", 100, card="card-sp")]  # d3 is two levels down
    alerts = run(SponsorPaidOrders(), tree + orders)
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.entity_type, a.entity_value) == ("distributor", "sp")
    assert a.event_ids == [orders[1].id, orders[2].id]


def test_sponsor_card_paying_for_a_stranger_alerts_at_the_first_order():
    tree = [enroll(0, "sp", "top", ip="198.51.100.5"), enroll(1, "far", "sp", ip="192.0.2.77")]
    orders = [order(10, "sp", "o-own", 100, card="card-sp", source__ip="198.51.100.5"),
              order(20, "far", "o1", 100, card="card-sp", source__ip="192.0.2.77")]
    alerts = run(SponsorPaidOrders(), tree + orders)
    assert [(a.entity_value, a.event_ids) for a in alerts] == [("sp", [orders[1].id])]


def test_unseen_sponsor_card_paying_two_unrelated_siblings_alerts_the_sponsor():
    tree = [enroll(0, "k1", "boss", ip="198.51.100.5"), enroll(1, "k2", "boss", ip="192.0.2.77")]
    orders = [order(10, "k1", "o1", 100, card="boss-card", source__ip="198.51.100.5"),
              order(20, "k2", "o2", 100, card="boss-card", source__ip="192.0.2.77")]
    alerts = run(SponsorPaidOrders(), tree + orders)
    assert [(a.entity_value, a.event_ids) for a in alerts] == [("boss", [orders[0].id, orders[1].id])]


def test_uplines_are_learned_from_commission_sources_too():
    """Accounts enrolled before the SIEM watched: the boss's commissions name them as sources."""
    run_ = [commerce(0, "boss", "commission_calculated", mlm__commission__period="2026-W45",
                     mlm__commission__amount=90.0, mlm__commission__source_ids=["x1", "x2"])]
    orders = [order(10, "x1", "o1", 100, card="boss-card", source__ip="198.51.100.5"),
              order(20, "x2", "o2", 100, card="boss-card", source__ip="192.0.2.77")]
    alerts = run(SponsorPaidOrders(), run_ + orders)
    assert [(a.entity_value, len(a.event_ids)) for a in alerts] == [("boss", 2)]


def test_spouse_paying_for_spouse_stays_quiet():
    """Husband and wife share a bank account and a card."""
    events = [enroll(0, "husband", "top", bank="joint"), enroll(1, "wife", "husband", bank="joint"),
              order(10, "husband", "o1", 100, card="family-card"),
              order(20, "wife", "o2", 100, card="family-card"), order(40 * DAY, "wife", "o3", 100, card="family-card")]
    strangers = [order(50 + i, f"z{i}", f"oz{i}", 10, card=f"c{i}") for i in range(20)]
    assert run(SponsorPaidOrders(), events + strangers) == []
