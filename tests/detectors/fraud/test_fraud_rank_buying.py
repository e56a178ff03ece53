"""Rank buying: the orders that earned a rank, refunded after it was recognised (no period close)."""

from __future__ import annotations

import random

import pytest
from fraud_helpers import DAY, commerce, order, refund, run, seconds_of

from detectors.fraud.rankbuy import RankBuying

HOUR = 3600.0


def ranked(seconds: float, dist: str, current: str = "gold"):
    return commerce(seconds, dist, "rank_changed", user__id=None, mlm__rank__previous="silver",
                    mlm__rank__current=current)


def usual(dist: str, rng: random.Random) -> list:
    """A member's ordinary monthly orders in the weeks before."""
    return [order(i * 7 * DAY + rng.uniform(0, DAY), dist, f"{dist}-u{i}", rng.choice((30, 60, 120))) for i in range(3)]


@pytest.mark.parametrize("seed", range(6))
def test_rank_bought_and_returned_alerts_at_the_refund_that_takes_back_half(seed):
    rng = random.Random(seed)
    start = 22 * DAY
    buys, at, volume = [], start, 0.0
    while volume < 1000:
        pv = rng.choice((159, 319, 479, 639))
        buys.append(order(at, "cheat", f"b{len(buys)}", pv))
        volume += pv
        at += rng.uniform(300, 5400)
    rank = ranked(at, "cheat")
    at += rng.uniform(1, 10) * HOUR
    refunds, times = [], []
    for b in buys:
        at += rng.uniform(60, 1800)
        refunds.append(refund(at, "cheat", b.flat["mlm.order.id"]))
        times.append(at)
    before = usual("cheat", rng)
    alerts = run(RankBuying(), before + buys + [rank] + refunds)
    assert [(a.rule_id, a.entity_value) for a in alerts] == [("mlm-fraud-rank-buying", "cheat")]
    total = volume + sum(e.flat["mlm.order.pv"] for e in before)
    back, first = 0.0, None
    for i, b in enumerate(buys):
        back += b.flat["mlm.order.pv"]
        if first is None and back >= 0.5 * total:
            first = i  # the first sound point: half of what earned the rank is back
    assert seconds_of(alerts[0]) == pytest.approx(times[first], abs=1e-3)
    assert rank.id in alerts[0].event_ids and refunds[first].id == alerts[0].event_ids[-1]


def test_rank_kept_with_an_ordinary_return_stays_quiet():
    """A member reaches a rank on real buying and returns one small item: the rank still stands."""
    rng = random.Random(1)
    events = usual("m", rng) + [order(22 * DAY, "m", "big1", 479), order(22 * DAY + HOUR, "m", "big2", 639),
                                ranked(22 * DAY + 2 * HOUR, "m"), refund(23 * DAY, "m", "m-u2")]
    assert run(RankBuying(), events) == []


def test_refunds_before_a_rank_or_long_after_it_stay_quiet():
    rng = random.Random(2)
    returned_first = usual("a", rng) + [order(22 * DAY, "a", "a1", 639), refund(22 * DAY + HOUR, "a", "a1"),
                                        ranked(22 * DAY + 2 * HOUR, "a")]
    much_later = usual("b", rng) + [order(22 * DAY, "b", "b1", 639), ranked(22 * DAY + HOUR, "b"),
                                    refund(40 * DAY, "b", "b1")]
    assert run(RankBuying(), returned_first + much_later) == []


def test_hostile_refunds_are_ignored():
    det = RankBuying()
    events = [refund(0, "x", "never-placed"), commerce(1, "x", "order_refunded"), ranked(2, "x"),
              commerce(3, "y", "order_placed", mlm__order__id="o", mlm__order__pv=-5.0), refund(4, "y", "o"),
              refund(5, "y", "o")]
    assert run(det, events) == []


def test_order_cycling_runs_rank_buying_on_the_same_events():
    """The registered detector (fraud.order_cycling) carries rank buying: one detector, one scope."""
    from detectors.fraud.cycling import OrderCycling

    events = [order(0, "c", "c1", 639), order(HOUR, "c", "c2", 479), ranked(2 * HOUR, "c"),
              refund(5 * HOUR, "c", "c1")]
    assert [a.rule_id for a in run(OrderCycling(), events)] == ["mlm-fraud-rank-buying"]
