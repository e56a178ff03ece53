"""Per-user login habits (countries, devices, networks, hours), bounded, learned from event time."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from core.event import Event
from detectors.anomaly.models import FeatureSchema, load_model, save_model
from detectors.anomaly.state import BoundedMap
from detectors.ato.where import Place

MAX_VALUES = 8  # per habit: a person has a handful of countries/devices/networks
DAY = 86_400.0
# A profile's idle clock (180 days) is refreshed once a minute, not on each of the two reads per login.
TOUCH_EVERY = 60.0


def _bump(counts: dict[str, int], value: str | None) -> None:
    if not value:
        return
    if value not in counts and len(counts) >= MAX_VALUES:
        del counts[min(counts, key=counts.__getitem__)]  # forget the rarest habit
    counts[value] = counts.get(value, 0) + 1


@dataclass(slots=True)
class UserProfile:
    """What one user's successful logins usually look like."""

    logins: int = 0
    countries: dict[str, int] = field(default_factory=dict)
    devices: dict[str, int] = field(default_factory=dict)
    asns: dict[str, int] = field(default_factory=dict)
    hours: list[int] = field(default_factory=lambda: [0] * 24)

    def learn(self, ts: float, place: Place, device: str | None) -> None:
        self.logins += 1
        # A VPN exit's country says nothing about where the person lives or travels.
        _bump(self.countries, None if place.hosting else place.country)
        _bump(self.devices, device)
        _bump(self.asns, place.asn)
        self.hours[hour_of(ts)] += 1

    def hour_share(self, ts: float) -> float:
        """Smoothed share of this user's logins in the hour of `ts` and its two neighbours."""
        h = hour_of(ts)
        near = sum(self.hours[(h + d) % 24] for d in (-1, 0, 1))
        return (near + 0.5) / (self.logins + 12)

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.logins, "c": self.countries, "d": self.devices, "a": self.asns, "h": self.hours}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> UserProfile:
        hours = [int(x) for x in doc.get("h", [])][:24]
        return cls(int(doc.get("n", 0)), dict(doc.get("c", {})), dict(doc.get("d", {})),
                   dict(doc.get("a", {})), hours + [0] * (24 - len(hours)))


def hour_of(ts: float) -> int:
    """The UTC hour of an epoch time (arithmetic: a datetime per login cost more than the rest of learning)."""
    return int(ts // 3600 % 24)


class Novelty(NamedTuple):
    """How a login differs from the user's habits (all False when the user has no history); a
    tuple, built for every successful login."""

    history: int  # successful logins the habits were learned from
    new_country: bool
    new_device: bool
    new_asn: bool
    odd_hour: bool
    known_device: bool = False  # the client's device cookie is one of the user's own

    def labels(self) -> list[str]:
        """The names of the habits this login breaks."""
        found = []  # spelled out: a loop over the names cost twice as much, on every successful login
        if self.new_country:
            found.append("new_country")
        if self.new_device:
            found.append("new_device")
        if self.new_asn:
            found.append("new_asn")
        if self.odd_hour:
            found.append("odd_hour")
        return found


class ProfileBook:
    """Profiles of up to `cap` users, forgotten after `ttl` seconds without a login."""

    def __init__(self, cap: int = 200_000, ttl: float = 180 * DAY) -> None:
        self.users: BoundedMap[str, UserProfile] = BoundedMap(cap, ttl)

    def novelty(self, user: str, ts: float, place: Place, device: str | None) -> Novelty:
        prof = self.users.get_lazily(user, ts, TOUCH_EVERY)
        if prof is None or prof.logins == 0:
            return Novelty(0, False, False, False, False)
        return Novelty(
            prof.logins,
            bool(place.country) and bool(prof.countries) and place.country not in prof.countries,
            bool(device) and bool(prof.devices) and device not in prof.devices,
            bool(place.asn) and bool(prof.asns) and place.asn not in prof.asns,
            prof.logins >= 20 and prof.hour_share(ts) < 0.02,
            bool(device) and device in prof.devices,
        )

    def learn(self, user: str, ts: float, place: Place, device: str | None) -> None:
        self.users.setdefault(user, ts, UserProfile, TOUCH_EVERY).learn(ts, place, device)

    def to_list(self) -> list[list[Any]]:
        return [[user, seen, prof.to_dict()] for user, seen, prof in self.users.entries()]

    def load_list(self, rows: list[Any]) -> None:
        """Restore saved profiles (coldest first), skipping malformed rows."""
        for row in rows:
            if isinstance(row, list) and len(row) == 3 and isinstance(row[2], dict):
                self.users.put(str(row[0]), float(row[1]), UserProfile.from_dict(row[2]))


def device_of(event: Event) -> str | None:
    value = event.flat.get("mlm.device.id")
    return str(value)[:128] if value else None


def save_book(directory: Path, schema: FeatureSchema, book: ProfileBook) -> None:
    save_model(directory, schema, {"profiles": book.to_list()})


def load_book(directory: Path, schema: FeatureSchema, book: ProfileBook) -> bool:
    loaded = load_model(directory, schema)
    if loaded is None:
        return False
    rows = loaded[0].get("profiles")
    book.load_list(rows if isinstance(rows, list) else [])
    return True
