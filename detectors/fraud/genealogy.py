"""Who is above whom, as far as the events tell: enrollments name sponsors, commissions name sources.

An enrollment gives the sponsor exactly; a commission's `mlm.commission.source_ids` are the
distributors whose volume produced it, i.e. members of the earner's downline, which covers
accounts enrolled before the SIEM was watching.
"""

from __future__ import annotations

from core.event import Event
from detectors.anomaly.state import BoundedMap
from detectors.fraud.common import commerce, distributor_of, text

DAY = 86_400.0
UPLINE_DEPTH = 5  # sponsors further up than this rarely know the buyer personally
MAX_HINTS = 8


class Genealogy:
    """Bounded sponsor links and upline hints per distributor."""

    def __init__(self) -> None:
        self.sponsor: BoundedMap[str, str] = BoundedMap(1_000_000, 3 * 365 * DAY)
        self.hints: BoundedMap[str, list[str]] = BoundedMap(500_000, 120 * DAY)

    def learn(self, event: Event) -> None:
        if commerce(event, "distributor_enrolled"):
            dist, sponsor = distributor_of(event), text(event, "mlm.sponsor.id")
            if dist and sponsor and dist != sponsor:
                self.sponsor.put(dist, event.ts, sponsor)
        elif commerce(event, "commission_calculated"):
            earner = distributor_of(event)
            for source in (event.flat.get("mlm.commission.source_ids") or [])[:50]:
                source = str(source)[:128]
                if earner and source != earner:
                    hints = self.hints.setdefault(source, event.ts, list)
                    if earner not in hints and len(hints) < MAX_HINTS:
                        hints.append(earner)

    def uplines(self, dist: str, now: float) -> list[str]:
        """The sponsor chain (nearest first, UPLINE_DEPTH levels), then earners fed by `dist`."""
        chain: list[str] = [dist]
        for _ in range(UPLINE_DEPTH):
            node = self.sponsor.get(chain[-1], now)
            if node is None or node in chain:
                break
            chain.append(node)
        hints = [h for h in self.hints.get(dist, now) or () if h not in chain]
        return chain[1:] + hints
