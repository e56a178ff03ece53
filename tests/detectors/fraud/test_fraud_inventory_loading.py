"""Inventory loading: one member buys a shop's stock just before a period closes and the run pays
commissions on it. Honest leaders stocking up for the month stay quiet."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from builders import T0
from fraud_helpers import commerce, order, run, seconds_of

from detectors.fraud.cycling import OrderCycling

CLOSE = (datetime(2026, 12, 1, tzinfo=UTC) - T0).total_seconds()  # the November month closes
HOUR = 3600.0


def population(rng: random.Random, scale: float, people: int = 120) -> list:
    """Three weeks of ordinary orders: starter packs up to the big monthly pack (`scale` volume)."""
    events = []
    for p in range(people):
        for k in range(3):
            pv = scale * rng.choice((0.125, 0.25, 0.5, 1.0))
            events.append(order(CLOSE - (25 - 7 * k) * 24 * HOUR + p * 60, f"m{p}", f"m{p}-{k}", pv))
    return events


def weekly_run(ts: float) -> list:
    """A weekly commission run before the test: the plan pays weekly (the month still closes)."""
    return [commerce(ts, "lead", "commission_calculated", mlm__commission__period="2026-W47",
                     mlm__commission__amount=90.0, mlm__commission__source_ids=["m1", "m2"])]


def month_run(sources: list[str], earner: str = "earner") -> list:
    return [commerce(CLOSE - HOUR, "top", "commission_calculated", mlm__commission__period="2026-11",
                     mlm__commission__amount=2000.0, mlm__commission__source_ids=sources),
            commerce(CLOSE - HOUR + 1, earner, "commission_calculated", mlm__commission__period="2026-11",
                     mlm__commission__amount=800.0, mlm__commission__source_ids=sources)]


def buying(who: str, rng: random.Random, volume: float, orders: int, hours: float) -> list:
    """`orders` purchases adding up to `volume`, a few minutes apart, `hours` before the run."""
    at, events = CLOSE - HOUR - hours * HOUR, []
    for i in range(orders):
        at += rng.uniform(60, 600)
        events.append(order(at, who, f"{who}-big{i}", volume / orders))
    return events


@pytest.mark.parametrize("seed", range(6))
def test_loading_a_shops_stock_alerts_the_buyer_when_the_run_pays_on_it(seed):
    rng = random.Random(seed)
    scale = rng.choice((100.0, 240.0, 1000.0))  # the population's big pack, whatever the currency
    loaded = buying("loader", rng, scale * rng.uniform(35, 80), rng.randint(3, 6), rng.uniform(1, 6))
    events = population(rng, scale) + weekly_run(CLOSE - 8 * 24 * HOUR) + loaded + month_run(["m3", "loader"])
    alerts = run(OrderCycling(), events)
    assert [(a.rule_id, a.entity_value) for a in alerts] == [("mlm-fraud-inventory-loading", "loader")]
    alert = alerts[0]
    assert seconds_of(alert) == CLOSE - HOUR  # the run, the first sound point
    assert alert.event_ids[:-1] == [e.id for e in loaded] and alert.severity == "high"
    assert "before period 2026-11 closed" in alert.summary and "first to top" in alert.summary


@pytest.mark.parametrize("seed", range(6))
def test_honest_leaders_stocking_up_for_the_month_stay_quiet(seed):
    """One to three big packs (up to ~20 of the population's big orders together) from a leader."""
    rng = random.Random(seed)
    scale = rng.choice((100.0, 240.0, 1000.0))
    stock = buying("leader", rng, scale * rng.uniform(2, 20), rng.randint(1, 3), rng.uniform(1, 10))
    events = population(rng, scale) + stock + month_run(["leader", "m5"])
    assert run(OrderCycling(), events) == []


def test_loading_that_no_run_paid_on_is_not_judged():
    """Stock bought but never paid on (no commission names the buyer): no commission fraud yet."""
    rng = random.Random(9)
    events = population(rng, 240.0) + buying("loader", rng, 240.0 * 50, 4, 3) + month_run(["m1", "m2"])
    assert run(OrderCycling(), events) == []


def test_loading_is_confirmed_again_when_refunded_after_the_run():
    """The loaded orders are flagged: refunding one after the run is order cycling, high."""
    rng = random.Random(4)
    loaded = buying("loader", rng, 240.0 * 50, 4, 3)
    events = population(rng, 240.0) + loaded + month_run(["loader"])
    events.append(commerce(CLOSE + 20 * HOUR, "loader", "order_refunded", mlm__order__id="loader-big0"))
    alerts = run(OrderCycling(), events)
    assert [a.rule_id for a in alerts] == ["mlm-fraud-inventory-loading", "mlm-fraud-order-cycling"]
    assert "flagged when placed" in alerts[1].summary and alerts[1].severity == "high"
