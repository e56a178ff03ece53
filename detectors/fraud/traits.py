"""What ties two accounts to one household: a shared device or address, or a sponsor-recruit pair.

Spouses share a bank account, a computer and a home address, and one usually enrolled the other;
strangers pointing payouts at one account share none of these. An address many accounts use (a
mobile carrier's NAT, an office, a venue) is infrastructure, not a home: it ties no one.
"""

from __future__ import annotations

from core.event import Event
from detectors.anomaly.state import BoundedMap

DAY = 86_400.0
MAX_TRAITS = 24  # per account: a few devices and home, office and mobile addresses
RECENT = 2 * DAY  # a ring's accounts are enrolled within a day or two of each other
CROWD = 4  # a home's address serves a family of up to four accounts; a carrier NAT serves hundreds
TOGETHER = 3600.0  # two accounts first seen at one crowded place within an hour came together (a couple at a meeting)


class Traits:
    """Bounded devices, addresses and sponsor per distributor, learned from their own events."""

    def __init__(self) -> None:
        self.known: BoundedMap[str, dict[str, float]] = BoundedMap(300_000, 120 * DAY)  # trait -> first seen
        self.sponsor: BoundedMap[str, tuple[str, float]] = BoundedMap(300_000, 3 * 365 * DAY)  # (sponsor, enrolled)
        self.users = Crowds()  # address -> accounts seen on it

    def learn(self, dist: str, event: Event) -> None:
        """Remember the device and address of an event the distributor made themselves."""
        if event.flat.get("user.id") != dist:
            return  # staff acting on the account: their device says nothing about its household
        found = [f"{k}:{str(v)[:128]}" for k, v in (("d", event.flat.get("mlm.device.id")),
                                                     ("ip", event.flat.get("source.ip"))) if v]
        if found:
            traits = self.known.setdefault(dist, event.ts, dict)
            if found[0] not in traits or found[-1] not in traits:  # most events show known ones
                self._add(traits, found, event.ts)
        sponsor = event.flat.get("mlm.sponsor.id") if event.flat.get("event.action") == "distributor_enrolled" else None
        if sponsor and str(sponsor) != dist:
            self.sponsor.put(dist, event.ts, (str(sponsor)[:128], event.ts))

    def _add(self, traits: dict[str, float], found: list[str], now: float) -> None:
        """Remember an account's new devices and addresses, counting the accounts that use each."""
        for trait in found:
            if trait not in traits and len(traits) < MAX_TRAITS:
                traits[trait] = now  # once per account: the count is of distinct accounts
                if trait[0] == "i":  # addresses only: a device many accounts use is a ring's, not a home's
                    self.users.add(trait)

    def household(self, a: str, b: str, now: float) -> bool:
        """A sponsor-recruit pair, or two accounts seen on one device, or on an address few others use
        (or first seen at a crowded one together)."""
        if self.sponsor_of(a, now) == b or self.sponsor_of(b, now) == a:
            return True
        mine, theirs = self.known.get(a, now) or {}, self.known.get(b, now) or {}
        return any(trait[0] == "d" or self.users.count(trait) <= CROWD or abs(mine[trait] - theirs[trait]) <= TOGETHER
                   for trait in mine.keys() & theirs.keys())

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


class Crowds:
    """Accounts seen per address, in two generations of plain dicts: bounded (at most 2 x cap keys,
    the older generation dropped whole) and a few dict operations per new address, where a
    BoundedMap's ordering costs more than the rest of the shared-bank detector's work on an event."""

    def __init__(self, cap: int = 200_000) -> None:
        self.cap = cap
        self.current: dict[str, int] = {}
        self.previous: dict[str, int] = {}

    def add(self, key: str) -> None:
        self.current[key] = (self.current.get(key) or self.previous.get(key, 0)) + 1
        if len(self.current) >= self.cap:
            self.previous, self.current = self.current, {}

    def count(self, key: str) -> int:
        return self.current.get(key) or self.previous.get(key, 0)
