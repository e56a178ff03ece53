"""Order cycling: volume bought just before a period closes, refunded once commissions are paid.

The refund of an ordinary monthly order is everyday business, so the shape must be specific:
the order lands in the last days of a period, is most of the distributor's volume for it, the
period's commissions (for them or from their volume) are calculated, and the refund follows.
It alerts when on top of that the order was outsized, the refund came fast, a rank was gained
meanwhile, or the distributor cycled before.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import make_alert, short
from detectors.anomaly.state import BoundedMap, Suppressor
from detectors.fraud.common import CATEGORY, FRAUD_TAGS, commerce, distributor_of, number, text

DAY = 86_400.0
CLOSE_WINDOW = 3 * DAY  # "just before the close": qualification is topped up in the last days
QUICK_REFUND = 7 * DAY
MIN_POINTS = 2


@dataclass(slots=True)
class Order:
    distributor: str
    ts: float
    pv: float
    event_id: str


def period_bounds(period: str) -> tuple[float, float] | None:
    """(start, close) epoch seconds of a commission period `2026-11` or `2026-W47`."""
    try:
        if "-W" in period:
            year, week = period.split("-W")
            start = date.fromisocalendar(int(year), int(week), 1)
            end = start + timedelta(days=7)
        else:
            year, month = period.split("-")
            start = date(int(year), int(month), 1)
            end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    except (ValueError, OverflowError):
        return None
    as_ts = lambda d: datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()
    return as_ts(start), as_ts(end)


class OrderCycling:
    """Alerts on refunds that undo volume which earned a period's commissions."""

    name = "fraud.order_cycling"
    datasets = frozenset({"mlm.commerce"})  # the engine skips every other event (process ignores them)

    def __init__(self) -> None:
        self.orders: BoundedMap[str, Order] = BoundedMap(300_000, 120 * DAY)
        self.history: BoundedMap[str, deque[Order]] = BoundedMap(200_000, 120 * DAY)
        self.paid: BoundedMap[tuple[str, str], float] = BoundedMap(500_000, 120 * DAY)  # (dist, period)
        self.periods: BoundedMap[str, tuple[float, float]] = BoundedMap(64, 400 * DAY)  # (start, close)
        self.all_pv: deque[float] = deque(maxlen=5000)  # recent order sizes of everyone
        self.ranked: BoundedMap[str, float] = BoundedMap(200_000, 120 * DAY)
        self.cycled: BoundedMap[str, float] = BoundedMap(100_000, 120 * DAY)
        self.suppress = Suppressor(30 * DAY)

    def process(self, event: Event) -> list[Alert]:
        action = event.flat.get("event.action")
        if event.flat.get("event.dataset") != "mlm.commerce":
            return []
        dist = distributor_of(event)
        if not dist:
            return []
        if action == "order_placed":
            self._placed(dist, event)
        elif action == "commission_calculated":
            self._commission(dist, event)
        elif action == "rank_changed":
            self.ranked.put(dist, event.ts, event.ts)
        elif commerce(event, "order_refunded"):
            return self._refunded(dist, event)
        return []

    def _placed(self, dist: str, event: Event) -> None:
        order_id = text(event, "mlm.order.id")
        if not order_id:
            return
        order = Order(dist, event.ts, number(event, "mlm.order.pv") or number(event, "mlm.order.amount"), event.id)
        self.orders.put(order_id, event.ts, order)
        self.all_pv.append(order.pv)
        self.history.setdefault(dist, event.ts, lambda: deque(maxlen=50)).append(order)

    def _commission(self, dist: str, event: Event) -> None:
        period = text(event, "mlm.commission.period")
        bounds = period_bounds(period) if period else None
        if not period or bounds is None:
            return
        # The run is the de facto close: a run before the calendar end closes the period early.
        known = self.periods.get(period, event.ts)
        self.periods.put(period, event.ts, (bounds[0], min(bounds[1], event.ts) if known is None else known[1]))
        for who in [dist, *(event.flat.get("mlm.commission.source_ids") or [])[:50]]:
            if (str(who), period) not in self.paid:
                self.paid.put((str(who), period), event.ts, event.ts)

    def _refunded(self, dist: str, event: Event) -> list[Alert]:
        order = self.orders.get(text(event, "mlm.order.id") or "", event.ts)
        if order is None or order.pv <= 0:
            return []
        for period, (start, close) in list(self.periods.items()):
            paid_at = self.paid.get((order.distributor, period), event.ts)
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
            category=CATEGORY, severity="high" if len(signs) >= 3 else "medium", risk=55 + 10 * len(signs),
            entity=("distributor", order.distributor), ts=event.ts, evidence=[order.event_id, event.id],
            summary=(f"Distributor {short(order.distributor)} placed {order.pv:,.0f} volume "
                     f"{(close - order.ts) / 3600:,.0f} hours before period {short(period)} closed and refunded "
                     f"it after commissions were calculated ({', '.join(signs)})."),
            tags=FRAUD_TAGS,
        )]

    def _signs(self, order: Order, mine: list[Order], close: float, paid_at: float, event: Event) -> list[str]:
        earlier = [o.pv for o in self.history.get(order.distributor, event.ts) or () if o.ts < close - CLOSE_WINDOW]
        late = [o for o in mine if o.ts >= close - CLOSE_WINDOW]
        # Outsized against the distributor's own orders, or against everyone's when they have few.
        usual = median(earlier) if len(earlier) >= 2 else (1.5 * median(self.all_pv) if self.all_pv else 0)
        signs = []
        if (usual and order.pv >= 2 * usual) or len(late) >= 3:
            signs.append("outsized")
        if event.ts - paid_at <= QUICK_REFUND:
            signs.append("refunded within a week")
        rank_at = self.ranked.get(order.distributor, event.ts)
        if rank_at is not None and order.ts <= rank_at <= event.ts:
            signs.append("rank gained meanwhile")
        if self.cycled.get(order.distributor, event.ts) is not None:
            signs.append("cycled before")
        return signs
