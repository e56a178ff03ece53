"""Rank buying: a member buys volume until a new rank is recognised, then returns what earned it.

No period needs to close: the title, trip or rank bonus is the prize. The refunds are the first
sound evidence (an honest member may buy big to reach a rank and keep it), so it alerts at the
refund that takes back half or more of the volume bought in the run-up to the rank change.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import make_alert, short
from detectors.anomaly.state import BoundedMap, Suppressor
from detectors.fraud.common import CATEGORY, FRAUD_TAGS, distributor_of, number, text

DAY = 86_400.0
RUN_UP = 31 * DAY  # the volume a rank is recognised on: about one qualification period
RETURNED_WITHIN = 14 * DAY  # returns this long after the rank still undo it (the usual return policy)
SHARE = 0.5  # half the run-up returned: the rank no longer stands on kept volume


@dataclass(slots=True)
class Bought:
    order_id: str
    ts: float
    pv: float
    event_id: str
    refunded: float | None = None


class RankBuying:
    """Alerts when the orders that earned a rank are mostly refunded after it was recognised."""

    name = "fraud.rank_buying"  # a part of fraud.order_cycling (its scope: global; rank changes carry no user.id)
    actions = frozenset({"order_placed", "rank_changed", "order_refunded"})

    def __init__(self) -> None:
        self.orders: BoundedMap[str, Bought] = BoundedMap(300_000, 120 * DAY)
        self.bought: BoundedMap[str, deque[Bought]] = BoundedMap(200_000, 120 * DAY)
        self.ranked: BoundedMap[str, tuple[float, str, str]] = BoundedMap(100_000, 60 * DAY)  # (ts, id, rank)
        self.suppress = Suppressor(RUN_UP)

    def process(self, event: Event) -> list[Alert]:
        action = event.flat.get("event.action")
        if action not in self.actions or event.flat.get("event.dataset") != "mlm.commerce":
            return []
        dist, order_id = distributor_of(event), text(event, "mlm.order.id")
        if not dist:
            return []
        if action == "rank_changed":
            self.ranked.put(dist, event.ts, (event.ts, event.id, text(event, "mlm.rank.current") or "?"))
        elif action == "order_placed" and order_id:
            pv = number(event, "mlm.order.pv") or number(event, "mlm.order.amount")
            item = Bought(order_id, event.ts, pv, event.id)
            self.orders.put(order_id, event.ts, item)
            self.bought.setdefault(dist, event.ts, lambda: deque(maxlen=50)).append(item)
        elif action == "order_refunded" and order_id:
            return self._refunded(dist, order_id, event)
        return []

    def _refunded(self, dist: str, order_id: str, event: Event) -> list[Alert]:
        item = self.orders.get(order_id, event.ts)
        if item is None or item.refunded is not None:
            return []
        item.refunded = event.ts
        rank = self.ranked.get(dist, event.ts)
        if rank is None or not item.ts <= rank[0] <= event.ts or event.ts - rank[0] > RETURNED_WITHIN:
            return []
        run_up = [b for b in self.bought.get(dist, event.ts) or () if rank[0] - RUN_UP <= b.ts <= rank[0]]
        returned = [b for b in run_up if b.refunded is not None and b.refunded >= rank[0]]
        volume, back = sum(b.pv for b in run_up), sum(b.pv for b in returned)
        if volume <= 0 or back < SHARE * volume or not self.suppress.allow((dist, rank[0]), event.ts):
            return []
        return [make_alert(
            rule_id="mlm-fraud-rank-buying", rule_name="Volume that earned a rank refunded after it",
            category=CATEGORY, severity="high" if back >= 0.9 * volume else "medium",
            risk=60 + min(30, int(30 * back / volume)), entity=("distributor", dist), ts=event.ts,
            evidence=[b.event_id for b in returned][-98:] + [rank[1], event.id],
            summary=(f"Distributor {short(dist)} reached rank {short(rank[2], 32)} on {volume:,.0f} volume "
                     f"and refunded {back:,.0f} of it ({len(returned)} orders) "
                     f"{(event.ts - rank[0]) / 3600:,.0f} hours after the rank was recognised."),
            tags=FRAUD_TAGS,
        )]
