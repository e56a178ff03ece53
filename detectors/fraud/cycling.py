"""Order cycling: volume bought just before a period closes, refunded once commissions are paid.

Two moments speak. When the order is placed: honest leaders stock up before a close too, so a
closing-stretch purchase is suspicious at once (medium) only when it is far beyond an established
buyer's own history and the population's big orders AND paid or placed with a card or device new
to them. When it is refunded: the refund of an ordinary monthly order is everyday business,
so the shape must be specific: the order landed in the last days of a period, was most of the
distributor's volume for it, the period's commissions (for them or from their volume) were
calculated, and the refund followed. That alerts when on top of it the order was outsized, the
refund came fast, a rank was gained meanwhile, the distributor cycled before, every one of two or
more closing-stretch orders came back after the run (ordinary sizes: the volume was only borrowed),
or the order was already flagged when placed (then it is the confirmation, high).

Inventory loading (mlm-fraud-inventory-loading): one member buys in a period's closing stretch as
much as LOADING ordinary members' big orders together (whatever their own history: stock no one
person uses), and the period's run pays commissions on it. It alerts at the run, naming the buyer
and the first earner paid on it. Rank buying (rankbuy.py) runs inside this detector: it reads the
same events.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import make_alert, short
from detectors.anomaly.state import BoundedMap, Suppressor
from detectors.fraud.common import CATEGORY, FRAUD_TAGS, commerce, distributor_of, number, text
from detectors.fraud.periods import KINDS, bounds_at, late_span, period_bounds, period_kind
from detectors.fraud.rankbuy import RankBuying

__all__ = ["OrderCycling", "period_bounds"]

DAY = 86_400.0
CLOSE_WINDOW = 3 * DAY  # "just before the close": qualification is topped up in the last days
QUICK_REFUND = 7 * DAY
MIN_POINTS = 2
# Placement: honest leaders stock up before a close too, so size alone never speaks. It takes an
# established buyer (three orders before), volume 3x their median and twice their biggest order,
# one order half again the population's big orders (95th percentile), AND a second sign: a card
# or device none of their earlier orders used.
MIN_HISTORY = 3
OWN_MEDIAN, OWN_MAX, POPULATION = 3.0, 2.0, 1.5
POP_MIN = 200  # orders seen before the population's percentile means anything
# Inventory loading: why 30: an honest leader stocking up for the month buys a few of the
# population's big orders (up to ~20 here); 30 is a shop's stock bought by one member in hours.
LOADING = 30.0


@dataclass(slots=True)
class Order:
    distributor: str
    ts: float
    pv: float
    event_id: str
    order_id: str = ""
    card: str | None = None
    device: str | None = None
    refunded: float | None = None


class OrderCycling:
    """Alerts on refunds that undo volume which earned a period's commissions."""

    name = "fraud.order_cycling"
    datasets = frozenset({"mlm.commerce"})  # the engine skips every other event (process ignores them)

    def __init__(self) -> None:
        self.orders: BoundedMap[str, Order] = BoundedMap(300_000, 120 * DAY)
        self.history: BoundedMap[str, deque[Order]] = BoundedMap(200_000, 120 * DAY)
        self.paid: BoundedMap[tuple[str, str], float] = BoundedMap(500_000, 120 * DAY)  # (dist, period)
        self.periods: BoundedMap[str, tuple[float, float]] = BoundedMap(64, 400 * DAY)  # (start, close)
        self.runs: BoundedMap[str, float] = BoundedMap(64, 400 * DAY)  # period -> its first run
        self.all_pv: deque[float] = deque(maxlen=5000)  # recent order sizes of everyone
        self.ranked: BoundedMap[str, float] = BoundedMap(200_000, 120 * DAY)
        self.cycled: BoundedMap[str, float] = BoundedMap(100_000, 120 * DAY)
        self.flagged: BoundedMap[str, float] = BoundedMap(100_000, 60 * DAY)  # order id -> flagged at placement
        self.loaded: BoundedMap[str, tuple[float, float, list[Order]]] = BoundedMap(10_000, 60 * DAY)  # (close, big)
        self.suppress_loaded = Suppressor(30 * DAY)
        self.kinds: dict[str, float] = {}  # period kinds the commission runs use -> last seen
        self.big = (0.0, -1)  # the population's 95th-percentile order, and placed_count when computed
        self.placed_count = 0
        self.suppress = Suppressor(30 * DAY)
        self.suppress_placed = Suppressor(7 * DAY)  # one per distributor and week
        self.rank_buying = RankBuying()  # its own state: rank changes, and what earned them

    def process(self, event: Event) -> list[Alert]:
        action = event.flat.get("event.action")
        if event.flat.get("event.dataset") != "mlm.commerce":
            return []
        # Refunds undoing a rank need no period close: rank buying is judged on its own.
        found = self.rank_buying.process(event) if action in self.rank_buying.actions else []
        return found + self._cycle(event, action)

    def _cycle(self, event: Event, action: object) -> list[Alert]:
        """Placements, runs, rank changes and refunds, judged against the period they close."""
        dist = distributor_of(event)
        if not dist:
            return []
        if action == "order_placed":
            order = self._placed(dist, event)
            return self._judge_placed(order, event) if order else []
        elif action == "commission_calculated":
            return self._commission(dist, event)
        elif action == "rank_changed":
            self.ranked.put(dist, event.ts, event.ts)
        elif commerce(event, "order_refunded"):
            return self._refunded(dist, event)
        return []

    def _placed(self, dist: str, event: Event) -> Order | None:
        order_id = text(event, "mlm.order.id")
        if not order_id:
            return None
        order = Order(dist, event.ts, number(event, "mlm.order.pv") or number(event, "mlm.order.amount"),
                      event.id, order_id, text(event, "mlm.payment.fingerprint"), text(event, "mlm.device.id"))
        self.orders.put(order_id, event.ts, order)
        self.all_pv.append(order.pv)
        self.placed_count += 1
        self.history.setdefault(dist, event.ts, lambda: deque(maxlen=50)).append(order)
        return order

    def _closing(self, ts: float, kinds: tuple[str, ...] = ()) -> tuple[str, float, float] | None:
        """(kind, start, close) of the period whose closing stretch `ts` falls in, if any.

        Kinds come from the commission runs seen (both when none was seen yet); a run already
        made for the period closed it, so later orders belong to the next one.
        """
        for kind in kinds or [k for k in KINDS if k in self.kinds] or KINDS:
            bounds = bounds_at(ts, kind)
            if bounds is None:
                continue
            start, close = bounds
            runs = [c for s, c in (v for _, v in self.periods.items()) if s == start]
            close = min([close, *runs])
            if close - late_span(start, close) <= ts < close:
                return kind, start, close
        return None

    def _big_order(self) -> float | None:
        """The population's 95th-percentile order (recomputed every 256 orders: sorting is not free)."""
        if len(self.all_pv) < POP_MIN:
            return None
        if self.big[1] < 0 or self.placed_count - self.big[1] >= 256:
            ranked = sorted(self.all_pv)
            self.big = (ranked[int(0.95 * (len(ranked) - 1))], self.placed_count)
        return self.big[0]

    def _judge_placed(self, order: Order, event: Event) -> list[Alert]:
        """Closing-stretch buying far beyond an established buyer's own, on a card or device new to them."""
        big = self._big_order()
        closing = self._closing(order.ts) if order.pv > 0 and big is not None else None
        mine = self.history.get(order.distributor, event.ts) or ()
        if big is not None and order.pv > 0:
            self._loading(order, mine, big)
        if closing is None or big is None:
            return []
        kind, start, close = closing
        since = close - late_span(start, close)
        earlier = [o for o in mine if o.ts < since]
        if len(earlier) < MIN_HISTORY:
            return []
        usual, most = median(o.pv for o in earlier), max(o.pv for o in earlier)
        recent = [o for o in mine if since <= o.ts <= order.ts and o.pv > most]  # beyond anything before
        volume = sum(o.pv for o in recent)
        if order not in recent or volume < OWN_MEDIAN * usual or volume < OWN_MAX * most \
                or max(o.pv for o in recent) < POPULATION * big:
            return []
        new = _new_to_them(recent, earlier)
        if not new or not self.suppress_placed.allow(order.distributor, event.ts):
            return []
        for o in recent:
            self.flagged.put(o.order_id, event.ts, event.ts)
        return [make_alert(
            rule_id="mlm-fraud-outsized-order", rule_name="Outsized order just before a period closes",
            category=CATEGORY, severity="medium", risk=55 + min(15, int(volume / big)),
            entity=("distributor", order.distributor), ts=event.ts, evidence=[o.event_id for o in recent][-100:],
            summary=(f"Distributor {short(order.distributor)} bought {volume:,.0f} volume in {len(recent)} orders "
                     f"{(close - order.ts) / 3600:,.0f} hours before the {kind}ly period closes with {new} "
                     f"(their usual order {usual:,.0f}, at most {most:,.0f}; the population's big orders {big:,.0f})."),
            tags=FRAUD_TAGS,
        )]

    def _loading(self, order: Order, mine: Iterable[Order], big: float) -> None:
        """Remember a member whose closing-stretch buying adds up to a shop's stock (judged at the run).

        Any period kind counts: a plan paying weekly may still close a month (rank qualification)."""
        closing = self._closing(order.ts, KINDS)
        if closing is None or big <= 0:
            return
        close = closing[2]
        stretch = [o for o in mine if close - late_span(closing[1], close) <= o.ts <= order.ts]
        if sum(o.pv for o in stretch) >= LOADING * big:
            self.loaded.put(order.distributor, order.ts, (close, big, stretch[-100:]))
            for o in stretch:
                self.flagged.put(o.order_id, order.ts, order.ts)

    def _commission(self, dist: str, event: Event) -> list[Alert]:
        period = text(event, "mlm.commission.period")
        bounds = period_bounds(period) if period else None
        if not period or bounds is None:
            return []
        self.kinds[period_kind(period)] = event.ts
        # The run is the de facto close: a run before the calendar end closes the period early.
        known = self.periods.get(period, event.ts)
        self.periods.put(period, event.ts, (bounds[0], min(bounds[1], event.ts) if known is None else known[1]))
        if self.runs.get(period, event.ts) is None:
            self.runs.put(period, event.ts, event.ts)
        alerts = []
        for who in [dist, *(event.flat.get("mlm.commission.source_ids") or [])[:50]]:
            if (str(who), period) not in self.paid:
                self.paid.put((str(who), period), event.ts, event.ts)
            if str(who) in self.loaded and (alert := self._judge_loaded(str(who), dist, period, bounds, event)):
                alerts.append(alert)
        return alerts

    def _judge_loaded(self, buyer: str, earner: str, period: str, bounds: tuple[float, float],
                      event: Event) -> Alert | None:
        """The run paid commissions on a member's loaded stock: alert once per buyer and period."""
        found = self.loaded.get(buyer, event.ts)
        if found is None or not bounds[0] <= found[2][-1].ts < bounds[1] or found[2][-1].ts >= event.ts:
            return None
        if not self.suppress_loaded.allow((buyer, period), event.ts):
            return None
        close, big, orders = found
        volume = sum(o.pv for o in orders)
        paid = "their own commission" if earner == buyer else f"commissions (first to {short(earner)})"
        return make_alert(
            rule_id="mlm-fraud-inventory-loading", rule_name="Inventory loading paid commissions",
            category=CATEGORY, severity="high", risk=70 + min(25, int(volume / big / 10)),
            entity=("distributor", buyer), ts=event.ts, evidence=[o.event_id for o in orders][-99:] + [event.id],
            summary=(f"Distributor {short(buyer)} bought {volume:,.0f} volume in {len(orders)} orders in the "
                     f"{(close - orders[0].ts) / 3600:,.0f} hours before period {short(period)} closed, "
                     f"{volume / big:,.0f}x the population's big orders, and the run paid {paid} on it."),
            tags=FRAUD_TAGS, extra={"mlm_siem": {"earner": earner, "volume": volume}},
        )

    def _refunded(self, dist: str, event: Event) -> list[Alert]:
        order = self.orders.get(text(event, "mlm.order.id") or "", event.ts)
        if order is None or order.pv <= 0:
            return []
        order.refunded = event.ts
        for period, (start, close) in list(self.periods.items()):
            # Named as a source, or not (source lists stop at 50): the run paid on the period's volume.
            paid_at = self.paid.get((order.distributor, period), event.ts) or self.runs.get(period, event.ts)
            if paid_at is None or not close - CLOSE_WINDOW <= order.ts < close or not order.ts < paid_at < event.ts:
                continue
            return self._judge(order, period, start, close, paid_at, event)
        return []

    def _judge(self, order: Order, period: str, start: float, close: float, paid_at: float,
               event: Event) -> list[Alert]:
        mine = [o for o in self.history.get(order.distributor, event.ts) or () if start <= o.ts < close]
        late = [o for o in mine if o.ts >= close - CLOSE_WINDOW] or [order]
        if sum(o.pv for o in late) / (sum(o.pv for o in mine) or order.pv) < 0.5:
            return []  # the last days' orders were a small part of the volume: not what qualified
        signs = self._signs(order, mine, close, paid_at, event)
        if len(signs) < MIN_POINTS or not self.suppress.allow((order.distributor, period), event.ts):
            return []
        self.cycled.put(order.distributor, event.ts, event.ts)
        return [make_alert(
            rule_id="mlm-fraud-order-cycling", rule_name="Order refunded after it earned commissions",
            category=CATEGORY, severity="high" if len(signs) >= 3 or signs[-1] == "flagged when placed" else "medium",
            risk=55 + 10 * len(signs),
            entity=("distributor", order.distributor), ts=event.ts, evidence=[order.event_id, event.id],
            summary=(f"Distributor {short(order.distributor)} placed {order.pv:,.0f} volume "
                     f"{(close - order.ts) / 3600:,.0f} hours before period {short(period)} closed and refunded "
                     f"it after commissions were calculated ({', '.join(signs)})."),
            tags=FRAUD_TAGS,
        )]

    def _signs(self, order: Order, mine: list[Order], close: float, paid_at: float, event: Event) -> list[str]:
        earlier = [o.pv for o in self.history.get(order.distributor, event.ts) or () if o.ts < close - CLOSE_WINDOW]
        late = [o for o in mine if o.ts >= close - CLOSE_WINDOW]
        # Outsized against the distributor's own orders, or against everyone's when they have few. The
        # refunded order itself must be: one small return out of three closing-week top-ups is everyday
        # business (volume split into many orders and all returned is the next sign's).
        usual = median(earlier) if len(earlier) >= 2 else (1.5 * median(self.all_pv) if self.all_pv else 0)
        signs = []
        if usual and order.pv >= 2 * usual:
            signs.append("outsized")
        if len(late) >= 2 and all(o.refunded is not None and o.refunded > paid_at for o in late):
            # Two or more closing-stretch orders, every one returned once the run paid: the volume
            # was bought to qualify (a return of one order is everyday business; of all, a pattern).
            signs.append(f"all {len(late)} closing-stretch orders refunded after the run")
        if event.ts - paid_at <= QUICK_REFUND:
            signs.append("refunded within a week")
        rank_at = self.ranked.get(order.distributor, event.ts)
        if rank_at is not None and order.ts <= rank_at <= event.ts:
            signs.append("rank gained meanwhile")
        if self.cycled.get(order.distributor, event.ts) is not None:
            signs.append("cycled before")
        if self.flagged.get(order.order_id, event.ts) is not None:
            signs.append("flagged when placed")
        return signs


def _new_to_them(recent: list[Order], earlier: list[Order]) -> str:
    """'a new card' / 'a new device' when the big orders used one none of the earlier orders did."""
    signs = [name for name, field in (("card", "card"), ("device", "device"))
             if any(getattr(o, field) and getattr(o, field) not in {getattr(e, field) for e in earlier} for o in recent)]
    return " and ".join(f"a new {name}" for name in signs)
