"""Order cycling with ordinary-size orders: every closing-stretch order returned after the run paid."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from builders import T0
from fraud_helpers import commerce, order, refund, run, seconds_of

from detectors.fraud.cycling import OrderCycling


def at(day: int, hour: float = 12.0, month: int = 11) -> float:
    """Seconds after T0 of a moment in November (or `month`) 2026."""
    return (datetime(2026, month, day, tzinfo=UTC) - T0).total_seconds() + hour * 3600


def run_of(close_hour: float = 23.0) -> object:
    """The November run, paid up the line (the buyer is one of the sources, unnamed or named)."""
    return commerce(at(30, close_hour), "boss", "commission_calculated", mlm__commission__period="2026-11",
                    mlm__commission__amount=700.0, mlm__commission__source_ids=["buyer", "x1"])


def history(dist: str, rng: random.Random, price: float = 240.0) -> list:
    """Two ordinary orders earlier in the month, a bit smaller than `price` (not half of it: the
    closing-stretch orders are not outsized) and less than the closing stretch together."""
    return [order(at(day), dist, f"{dist}-h{day}", round(price * rng.uniform(0.55, 0.95))) for day in (3, 16)]


@pytest.mark.parametrize("seed", range(6))
def test_two_ordinary_orders_before_close_both_refunded_after_the_run_alert(seed: int):
    """Neither order is outsized; that both (all) were returned once the run paid is the sign."""
    rng = random.Random(seed)
    price = rng.choice((239.0, 399.0, 639.0))
    first = at(30, rng.uniform(1, 18))
    events = history("buyer", rng, price) + [
        order(first, "buyer", "c1", price), order(first + rng.uniform(120, 3600), "buyer", "c2", price),
        run_of(),
    ]
    back = at(30, 23) + rng.uniform(4, 30) * 3600
    events += [refund(back, "buyer", "c1"), refund(back + rng.uniform(60, 3600), "buyer", "c2")]
    alerts = run(OrderCycling(), events)
    assert [(a.rule_id, a.entity_value) for a in alerts] == [("mlm-fraud-order-cycling", "buyer")]
    assert alerts[0].event_ids[-1] == events[-1].id  # at the refund that completes it
    assert seconds_of(alerts[0]) == pytest.approx(events[-1].ts - T0.timestamp(), abs=1e-3)
    assert "all 2 closing-stretch orders refunded after the run" in alerts[0].summary


def test_returning_part_of_the_closing_stretch_or_before_the_run_stays_quiet():
    """One of two orders returned (a wrong item), or both cancelled before the run: everyday business."""
    rng = random.Random(7)
    one_back = history("buyer", rng) + [order(at(29), "buyer", "a1", 240.0), order(at(30, 2), "buyer", "a2", 240.0),
                                         run_of(), refund(at(30, 23) + 3600 * 10, "buyer", "a1")]
    assert run(OrderCycling(), one_back) == []
    cancelled = history("buyer", rng) + [order(at(29), "buyer", "b1", 240.0), order(at(30, 2), "buyer", "b2", 240.0),
                                         refund(at(30, 8), "buyer", "b1"), refund(at(30, 9), "buyer", "b2"), run_of()]
    assert run(OrderCycling(), cancelled) == []


def test_all_late_orders_returned_but_most_volume_bought_earlier_stays_quiet():
    """The closing-stretch orders were a small part of the month's volume: they qualified no one."""
    events = [order(at(day), "buyer", f"big{day}", 900.0) for day in (4, 11, 18)] + [
        order(at(29), "buyer", "s1", 100.0), order(at(30, 3), "buyer", "s2", 100.0), run_of(),
        refund(at(30, 23) + 7200, "buyer", "s1"), refund(at(30, 23) + 9000, "buyer", "s2"),
    ]
    assert run(OrderCycling(), events) == []


def test_a_single_ordinary_order_returned_after_the_run_stays_quiet():
    """One order returned is the most common refund there is, closing stretch or not."""
    rng = random.Random(3)
    events = history("buyer", rng) + [order(at(30, 10), "buyer", "only", 240.0), run_of(),
                                      refund(at(30, 23) + 5 * 3600, "buyer", "only")]
    assert run(OrderCycling(), events) == []
