"""Impossible travel: two successful logins of one user from countries too far apart for the time.

Tolerances, each for a benign crowd that would otherwise flood analysts: real travellers (the
speed bar is an airliner's plus margin, and neighbouring countries are ignored), VPN users
(hosting/VPN operators say nothing about where a person is), people with two home countries
(a country the user already logs in from is not travel), and the same device hopping networks.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import is_login, make_alert, short
from detectors.anomaly.models import FeatureSchema
from detectors.anomaly.state import BoundedMap, Suppressor
from detectors.ato.countries import distance_km
from detectors.ato.profiles import DAY, ProfileBook, UserProfile, device_of, load_book, save_book
from detectors.ato.where import Place, place_of

SCHEMA = FeatureSchema("ato_travel_countries", 1, ("country", "device", "asn", "hour"))
MAX_SPEED_KMH = 1000.0  # airliners cruise at ~900 km/h; centroids blur the rest
MIN_DISTANCE_KM = 900.0  # centroid error: neighbouring countries are never "impossible"
STRANGER_HISTORY = 2  # logins needed before a device behind a VPN exit can be called new
# Without that history, the owner's own login this recent is the history: a browser that is neither
# the one just used nor any known one, behind a VPN exit abroad within the hour, is a stranger's.
FRESH_WINDOW = 3600.0
# An exit address this many members sign in from is a company VPN: its new laptops are colleagues'.
SHARED_EXIT_MEMBERS = 3


class LastLogin(NamedTuple):
    """A login as travel judges it (a tuple: built on every successful login)."""

    ts: float
    event_id: str
    place: Place
    device: str | None
    agent: str | None


class ImpossibleTravel:
    """Alerts when a user's successive logins imply a speed no traveller reaches."""

    name = "ato.impossible_travel"
    # Only password-step logins matter (process returns [] for anything else): the engine skips the rest.
    datasets = frozenset({"mlm.auth"})
    actions = frozenset({"login"})

    def __init__(self) -> None:
        self.last: BoundedMap[str, LastLogin] = BoundedMap(200_000, DAY)
        self.profiles = ProfileBook()
        self.suppress = Suppressor(6 * 3600.0)
        # Device cookie -> the one account it failed for: a cookie failing for several accounts is
        # a spraying tool's browser, not a thief at one account's door.
        self.tried: BoundedMap[str, str] = BoundedMap(100_000, DAY)
        # Hosting or VPN exit address -> members who signed in through it (up to the bar), a month.
        self.exits: BoundedMap[str, set[str]] = BoundedMap(100_000, 30 * DAY)

    def process(self, event: Event) -> list[Alert]:
        flat = event.flat
        user = flat.get("user.id")
        if not user or flat.get("event.action") != "login" or flat.get("event.dataset") != "mlm.auth":
            return []
        user = str(user)
        outcome = flat.get("event.outcome")
        if outcome == "failure":
            return self._attempt(user, event)
        if outcome != "success":
            return []
        now = self._login(event)
        # Touched at most once a minute here: a login not through an exit replaces the entry below anyway.
        before = self.last.get_lazily(user, event.ts, 60.0)
        alerts = self._judge(user, before, now, event) if before else []
        if before and not alerts and now.place.hosting:
            alerts = self._stranger_behind_exit(user, before, now, event)
        if now.place.hosting:
            self._through_exit(str(event.flat.get("source.ip") or ""), user, event.ts)
        else:
            self.last.put(user, event.ts, now)
        self.profiles.learn(user, event.ts, now.place, now.device)  # a VPN exit's country is not learned
        return alerts

    @staticmethod
    def _login(event: Event) -> LastLogin:
        flat = event.flat
        device = flat.get("mlm.device.id")  # device_of, inlined: this runs for every successful login
        return tuple.__new__(LastLogin, (event.ts, flat["event.id"], place_of(event),
                                         str(device)[:128] if device else None, flat.get("user_agent.original")))

    def _attempt(self, user: str, event: Event) -> list[Alert]:
        """A wrong password for a real account, from a browser that cannot be where its owner just
        logged in: the thief's first try, alerted before the break-in (not learned as a habit)."""
        device = device_of(event)
        if not device or event.flat.get("mlm.auth.failure_reason") != "bad_password":
            return []  # scripts without a cookie are the spraying and stuffing detectors' case
        if self.tried.setdefault(device, event.ts, lambda: user) != user:
            self.tried.put(device, event.ts, "")  # several accounts: a tool; never again judged
            return []
        before = self.last.get(user, event.ts)
        return self._judge(user, before, self._login(event), event, attempt=True) if before else []

    def _judge(self, user: str, before: LastLogin, now: LastLogin, event: Event,
               attempt: bool = False) -> list[Alert]:
        a, b = before.place.country, now.place.country
        if not a or not b or a == b or before.place.hosting:
            return []
        if now.device and now.device == before.device and now.agent == before.agent:
            return []  # same browser cookie and agent: a VPN toggle or a phone roaming
        prof = self.profiles.users.get(user, event.ts)
        if now.place.hosting and not (self._stranger(prof, now.device) or self._newcomer(user, prof, before, now, event)):
            return []  # VPN users keep their own devices; only a stranger's browser behind one counts
        if prof is not None and b in prof.countries:
            return []
        km = distance_km(a, b)
        if km is None or km < MIN_DISTANCE_KM:
            return []
        hours = max(now.ts - before.ts, 1.0) / 3600.0
        speed = km / hours
        # The attempt and the break-in are suppressed apart: a failed try then a success gives two.
        if speed <= MAX_SPEED_KMH or not self.suppress.allow(("try", user) if attempt else user, event.ts):
            return []
        verb = ("a wrong password from " if attempt else "") + ("a new device behind a hosting or VPN exit in "
                                                                if now.place.hosting else "")
        return [make_alert(
            rule_id="mlm-ato-impossible-travel", rule_name="Impossible travel between logins",
            category="account_takeover", severity="medium" if attempt or now.place.hosting or speed < 5000 else "high",
            risk=55 + min(30, int(speed // 1000)), entity=("user", user), ts=event.ts,
            evidence=[before.event_id, event.id],
            summary=(f"User {short(user)} logged in from {a} then {verb}{b} ({km:,.0f} km) within "
                     f"{hours * 60:,.0f} minutes: {speed:,.0f} km/h."),
            tags=["attack.initial_access", "attack.t1078"],
            extra={"mlm_siem": {"from": a, "to": b, "km": round(km), "kmh": round(speed)}},
        )]

    @staticmethod
    def _stranger(prof: UserProfile | None, device: str | None) -> bool:
        """A device cookie new to a user with enough history (two logins) to know their devices."""
        return bool(device) and prof is not None and prof.logins >= STRANGER_HISTORY \
            and bool(prof.devices) and device not in prof.devices

    def _newcomer(self, user: str, prof: UserProfile | None, before: LastLogin, now: LastLogin, event: Event) -> bool:
        """Too little history to know the user's devices, but within the hour of their own login: a
        browser (cookie and agent) other than that one, never seen for them, from an exit that is not
        a company's shared one."""
        if (prof is not None and prof.logins >= STRANGER_HISTORY) or not now.device:
            return False
        if now.device == before.device or now.agent == before.agent or now.ts - before.ts > FRESH_WINDOW:
            return False
        if prof is not None and now.device in prof.devices:
            return False
        members = self.exits.get(str(event.flat.get("source.ip") or ""), event.ts)
        return members is None or len(members - {user}) < SHARED_EXIT_MEMBERS

    def _stranger_behind_exit(self, user: str, before: LastLogin, now: LastLogin, event: Event) -> list[Alert]:
        """Not travel (the exit is in the home country or next door), yet the same newcomer's case: a
        browser never seen for the member, behind a hosting or VPN exit, within the hour of their own
        home login. Judged only where no history tells the member's own devices and exits apart."""
        prof = self.profiles.users.get(user, event.ts)
        if before.place.hosting or not self._newcomer(user, prof, before, now, event):
            return []
        if not self.suppress.allow(("exit", user), event.ts):
            return []
        minutes = (now.ts - before.ts) / 60
        return [make_alert(
            rule_id="mlm-ato-stranger-behind-vpn", rule_name="A new browser behind a VPN exit right after the owner's login",
            category="account_takeover", severity="medium", risk=60, entity=("user", user), ts=event.ts,
            evidence=[before.event_id, event.id],
            summary=(f"User {short(user)} logged in from home ({before.place.country or 'unknown country'}), then "
                     f"{minutes:,.0f} minutes later from a device and browser never seen for them behind a "
                     f"hosting or VPN exit ({now.place.country or 'unknown country'})."),
            tags=["attack.initial_access", "attack.t1078"],
            extra={"mlm_siem": {"from": before.place.country, "to": now.place.country}},
        )]

    def _through_exit(self, ip: str, user: str, ts: float) -> None:
        members = self.exits.setdefault(ip, ts, set)
        if len(members) <= SHARED_EXIT_MEMBERS:
            members.add(user)

    # Warming on the baseline: usual countries are learned, not alerted.
    def observe_baseline(self, event: Event) -> None:
        if is_login(event, "success"):
            self.process(event)

    def fit_baseline(self) -> None:
        """Nothing to fit: habits are learned while observing."""

    def save(self, directory: Path) -> None:
        save_book(directory, SCHEMA, self.profiles)

    def load(self, directory: Path) -> bool:
        return load_book(directory, SCHEMA, self.profiles)
