"""What ties two accounts to one household: a shared device or address, or a sponsor-recruit pair.

Spouses share a bank account, a computer and a home address, and one usually enrolled the other;
strangers pointing payouts at one account share none of these.
"""

from __future__ import annotations

from core.event import Event
from detectors.anomaly.state import BoundedMap

DAY = 86_400.0
MAX_TRAITS = 24  # per account: a few devices and home, office and mobile addresses
RECENT = 2 * DAY  # a ring's accounts are enrolled within a day or two of each other


class Traits:
    """Bounded devices, addresses and sponsor per distributor, learned from their own events."""

    def __init__(self) -> None:
        self.known: BoundedMap[str, set[str]] = BoundedMap(300_000, 120 * DAY)
        self.sponsor: BoundedMap[str, tuple[str, float]] = BoundedMap(300_000, 3 * 365 * DAY)  # (sponsor, enrolled)

    def learn(self, dist: str, event: Event) -> None:
        """Remember the device and address of an event the distributor made themselves."""
        if event.flat.get("user.id") != dist:
            return  # staff acting on the account: their device says nothing about its household
        found = [f"{k}:{str(v)[:128]}" for k, v in (("d", event.flat.get("mlm.device.id")),
                                                     ("ip", event.flat.get("source.ip"))) if v]
        if found:
            traits = self.known.setdefault(dist, event.ts, set)
            if len(traits) < MAX_TRAITS:
                traits.update(found)
        sponsor = event.flat.get("mlm.sponsor.id") if event.flat.get("event.action") == "distributor_enrolled" else None
        if sponsor and str(sponsor) != dist:
            self.sponsor.put(dist, event.ts, (str(sponsor)[:128], event.ts))

    def household(self, a: str, b: str, now: float) -> bool:
        """A sponsor-recruit pair, or two accounts seen on one device or address."""
        if self.sponsor_of(a, now) == b or self.sponsor_of(b, now) == a:
            return True
        return bool((self.known.get(a, now) or set()) & (self.known.get(b, now) or set()))

    def sponsor_of(self, dist: str, now: float) -> str | None:
        found = self.sponsor.get(dist, now)
        return found[0] if found else None

    def operator_of(self, dist: str, now: float) -> str | None:
        """Who brought a recent recruit in: up its sponsor chain through accounts enrolled in the
        last RECENT seconds (a ring's chain), to the first sponsor older than that. None for old accounts."""
        node, steps = dist, 0
        while (found := self.sponsor.get(node, now)) is not None and now - found[1] <= RECENT and steps < 50:
            node, steps = found[0], steps + 1
        return node if steps else None
