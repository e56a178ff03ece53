"""What ties two accounts to one household: a shared device or address, or a sponsor-recruit pair.

Spouses share a bank account, a computer and a home address, and one usually enrolled the other;
strangers pointing payouts at one account share none of these.
"""

from __future__ import annotations

from core.event import Event
from detectors.anomaly.state import BoundedMap

DAY = 86_400.0
MAX_TRAITS = 24  # per account: a few devices and home, office and mobile addresses


class Traits:
    """Bounded devices, addresses and sponsor per distributor, learned from their own events."""

    def __init__(self) -> None:
        self.known: BoundedMap[str, set[str]] = BoundedMap(300_000, 120 * DAY)
        self.sponsor: BoundedMap[str, str] = BoundedMap(300_000, 3 * 365 * DAY)

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
            self.sponsor.put(dist, event.ts, str(sponsor)[:128])

    def household(self, a: str, b: str, now: float) -> bool:
        """A sponsor-recruit pair, or two accounts seen on one device or address."""
        if self.sponsor.get(a, now) == b or self.sponsor.get(b, now) == a:
            return True
        return bool((self.known.get(a, now) or set()) & (self.known.get(b, now) or set()))

    def sponsor_of(self, dist: str, now: float) -> str | None:
        return self.sponsor.get(dist, now)
