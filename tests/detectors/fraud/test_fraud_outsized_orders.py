"""Outsized buying at placement time: alerted at once near a close when an established buyer goes far
beyond their history on a new card or device, confirmed by the refund; leaders stocking up on their
own card, habitual big buyers, newcomers and ordinary end-of-period orders stay quiet."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from builders import T0
from fraud_helpers import commerce, order, refund, run, seconds_of

from detectors.fraud.cycling import OrderCycling
from detectors.fraud.periods import bounds_at, late_span, period_bounds


def at(month: int, day: int, hour: float = 12.0, year: int = 2026) -> float:
    """Seconds after T0 of a calendar moment."""
    return (datetime(year, month, day, tzinfo=UTC) - T0).total_seconds() + hour * 3600


def crowd(start: float, end: float, n: int = 300, seed: int = 7) -> list:
    """Everyone else's everyday orders (pv 20-200), spread over [start, end)."""
    rng = random.Random(seed)
    times = sorted(rng.uniform(start, end) for _ in range(n))
    return [order(ts, f"c{i % 120}", f"co{i}", round(rng.uniform(20, 200), 1)) for i, ts in enumerate(times)]


def monthly_run(seconds: float, dist: str, period: str) -> object:
    return commerce(seconds, dist, "commission_calculated", mlm__commission__period=period,
                    mlm__commission__amount=300.0)


def merged(*streams: list) -> list:
    return sorted((e for s in streams for e in s), key=lambda e: e.ts)


def test_period_calendar_and_closing_stretch():
    start, close = bounds_at(T0.timestamp() + at(11, 30, 23), "month")
    assert (start, close) == period_bounds("2026-11") and late_span(start, close) == 3 * 86_400
    start, close = bounds_at(T0.timestamp() + at(11, 15, 23.5), "week")  # a Sunday evening ends ISO week 46
    assert (start, close) == period_bounds("2026-W46") and late_span(start, close) == 86_400


def history_of(dist: str, pv: float = 100.0, months: tuple[int, ...] = (9, 10, 10)) -> list:
    return [order(at(m, 3 + 7 * i), dist, f"{dist}-h{i}", pv + i) for i, m in enumerate(months)]


def test_outsized_order_on_a_new_card_before_close_alerts_at_once_and_refund_confirms():
    big = [order(at(11, 30, 20), "dan", "big1", 450, card="fresh-card"), order(at(11, 30, 21), "dan", "big2", 500)]
    after = [monthly_run(at(12, 1, 1), "dan", "2026-11"), refund(at(12, 2), "dan", "big1")]
    events = merged(crowd(at(9, 1), at(11, 30)), history_of("dan"), big, after)
    alerts = run(OrderCycling(), events)
    assert [(a.rule_id, a.entity_value, a.severity) for a in alerts] == [
        ("mlm-fraud-outsized-order", "dan", "medium"), ("mlm-fraud-order-cycling", "dan", "high")]
    first, confirm = alerts
    assert seconds_of(first) == at(11, 30, 20)  # the first big order already carries both signs
    assert first.event_ids == [big[0].id] and "monthly period closes with a new card" in first.summary
    assert "flagged when placed" in confirm.summary and confirm.event_ids == [big[0].id, after[1].id]


def test_leader_stocking_up_on_their_own_card_and_device_stays_quiet():
    """Honest end-of-month buying: far beyond their usual, but from their own card and computer."""
    big = [order(at(11, 30, 14 + h), "lea", f"stock{h}", 1500) for h in range(3)]
    events = merged(crowd(at(9, 1), at(11, 30)), history_of("lea"), big, [monthly_run(at(12, 1, 1), "lea", "2026-11")])
    assert run(OrderCycling(), events) == []


def test_newcomers_and_thin_histories_never_alert_at_placement():
    base = crowd(at(10, 1), at(11, 29))
    newcomer = [order(at(11, 30, 20), "new1", "n1", 2400, card="other")]
    thin = history_of("thin", months=(10, 10)) + [order(at(11, 30, 20), "thin", "t1", 2400, card="other")]
    assert run(OrderCycling(), merged(base, newcomer, thin)) == []


def test_habitual_big_end_of_month_buyer_stays_quiet():
    """Stocks up at every month end: this month's big order is nothing they have not bought before."""
    habit = []
    for month in (8, 9, 10):
        habit += [order(at(month, 10), "bea", f"bea-m{month}", 80), order(at(month, 28), "bea", f"bea-b{month}", 800)]
    this_month = [order(at(11, 10), "bea", "bea-m11", 80),
                  order(at(11, 29, 18), "bea", "bea-b11", 850, card="bea-new-card")]
    events = merged(crowd(at(8, 1), at(11, 29), n=600), habit, this_month)
    assert run(OrderCycling(), events) == []


def test_ordinary_end_of_period_orders_stay_quiet():
    """Hundreds of everyday orders in the closing stretch, some above the buyer's usual, new cards too."""
    history = [order(at(10, 5) + i, f"c{i % 120}", f"h{i}", 60) for i in range(480)]
    rng = random.Random(11)
    late = [order(ts, f"c{i % 120}", f"late{i}", round(rng.uniform(20, 200), 1), card=f"c{i}-new")
            for i, ts in enumerate(sorted(rng.uniform(at(11, 28), at(11, 30, 23)) for _ in range(400)))]
    assert run(OrderCycling(), merged(crowd(at(10, 1), at(10, 30)), history, late)) == []


def test_big_order_far_from_any_close_is_left_to_the_refund():
    mid = [order(at(11, 12), "sal", "mid", 900, card="fresh")]
    assert run(OrderCycling(), merged(crowd(at(10, 1), at(11, 12)), history_of("sal"), mid)) == []


def test_weekly_runs_teach_the_closing_stretch():
    """A deployment with weekly runs: the last day of the ISO week is the closing stretch."""
    runs = [monthly_run(at(11, 8, 23.5), "r", "2026-W45")]
    late = [order(at(11, 15, 20), "wil", "w3", 400, card="borrowed-card")]
    mid = [order(at(11, 11, 20), "kim", "k3", 400, card="borrowed-card")]
    events = merged(crowd(at(10, 20), at(11, 15)), runs, history_of("wil"), history_of("kim"), late, mid)
    alerts = run(OrderCycling(), events)
    assert [(a.entity_value, a.severity) for a in alerts] == [("wil", "medium")]
    assert "weekly period closes with a new card" in alerts[0].summary


def test_hostile_order_fields_do_not_crash():
    odd = [order(at(11, 30, 20), "x", "o1", float("nan")), order(at(11, 30, 20), "x", "o2", -5),
           commerce(at(11, 30, 20), "x", "order_placed", mlm__order__id="o3"),
           commerce(at(11, 30, 20), "x", "commission_calculated", mlm__commission__period="2026-W99")]
    assert run(OrderCycling(), merged(crowd(at(10, 1), at(11, 29)), odd)) == []
    end_of_time = [order(0, "y", f"e{i}", 900, card="new", **{"@timestamp": "9999-12-31T23:00:00Z"}) for i in range(2)]
    det = OrderCycling()
    assert run(det, merged(crowd(at(10, 1), at(11, 29)), history_of("y"))) == []
    assert run(det, end_of_time) == []


def test_cycling_of_varied_sizes_and_timings_is_flagged_at_its_first_big_order():
    """Forty cheats: their own usual order size, three to six orders of history, one to four big
    orders on a new card at a random moment of the month's last three days; each flagged at once."""
    rng = random.Random(42)
    events, first_big = crowd(at(9, 1), at(11, 30, 23), n=900, seed=5), {}
    for c in range(40):
        who, usual = f"cheat{c}", rng.uniform(40, 200)
        events += [order(at(10, 1) + rng.uniform(0, 50 * 86_400), who, f"{who}-h{k}",
                         round(usual * rng.uniform(0.8, 1.2), 1)) for k in range(rng.randint(3, 6))]
        ts = at(11, 28, 0) + rng.uniform(0, 3 * 86_400 - 4 * 3600)
        for k in range(rng.randint(1, 4)):
            big = order(ts, who, f"{who}-b{k}", round(max(4 * usual, 300) * rng.uniform(1.0, 2.5), 1),
                        card=f"{who}-fresh")
            first_big.setdefault(who, big)
            events.append(big)
            ts += rng.uniform(60, 3600)
    alerts = run(OrderCycling(), merged(events))
    flagged = {a.entity_value: a for a in alerts if a.rule_id == "mlm-fraud-outsized-order"}
    assert sorted(flagged) == sorted(first_big)  # every cheat, and none of the 120 crowd buyers
    assert all(flagged[w].event_ids == [first_big[w].id] and flagged[w].severity == "medium" for w in flagged)
