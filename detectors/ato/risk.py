"""Login risk from each user's habits (countries, devices, networks, hours), feeding the kill chain.

Trainable: habits are learned from the baseline and keep learning from every successful login,
so a traveller's new country is new once. Risky logins start the kill chain (killchain.py); very
risky ones alert on their own.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import is_login, make_alert, network_of, short
from detectors.anomaly.models import FeatureSchema
from detectors.anomaly.state import BoundedMap, Suppressor
from detectors.ato.killchain import CONTACT, MONEY, KillChain
from detectors.ato.profiles import Novelty, ProfileBook, device_of, load_book, save_book
from detectors.ato.where import Place, place_of

SCHEMA = FeatureSchema("ato_login_risk", 1, ("country", "device", "asn", "hour"))
# Points per sign; why: a new country alone is a trip, with a new device and network it is a stranger.
WEIGHTS = {"new_country": 40, "new_device": 25, "new_asn": 15, "odd_hour": 10}
CHAIN_START = 40   # enough to watch what the session does next
# Enough to alert on the login alone: a stranger's country, device and network at once, judged
# against habits seen at least MATURE times; thin habits (a traveller seen once) need more signs.
ALERT_AT = 80
ALERT_AT_THIN = 95
MATURE = 3
# A new country AND a new device (not a VPN exit) alerts from this much history: travellers carry
# their usual phone, thieves bring their own browser. One login of history is too thin to judge.
STRANGER_HISTORY = 2
FAIL_WINDOW = 3600.0
CLIENT_FAIL_WINDOW = 900.0  # a failed try from the same client just before: the thief's first attempt
SUPPRESS = 6 * 3600.0
# A network where this many different members log in is a shared exit (corporate VPN, office,
# carrier NAT): its country says no more about one member than a VPN operator's does.
SHARED_EXIT_USERS = 5
KNOWN_DEVICE_CREDIT = 20
STRANGER_RESET = 60  # the kill chain's bar for a contact change (killchain.STRANGER)


def _fifty() -> deque[tuple[float, str, str | None]]:
    return deque(maxlen=50)


class LoginRisk:
    """Scores successful logins against the user's habits; alerts on strangers, feeds the kill chain."""

    name = "ato.login_risk"
    # Logins, and the account changes and payouts its kill chain follows (see KillChain.process).
    actions = frozenset({"login", "password_reset_completed", "payout_requested", *CONTACT, *MONEY})

    def __init__(self) -> None:
        self.profiles = ProfileBook()
        # Per typed name: (time, address, device) of recent failed password steps.
        self.failures: BoundedMap[str, deque[tuple[float, str, str | None]]] = BoundedMap(200_000, FAIL_WINDOW)
        self.chain = KillChain()
        self.suppress = Suppressor(SUPPRESS)
        self.exits: BoundedMap[str, set[str]] = BoundedMap(200_000, 30 * 86_400.0)  # network -> members
        self.resets: BoundedMap[str, float] = BoundedMap(100_000, FAIL_WINDOW)  # account -> reset time

    def process(self, event: Event) -> list[Alert]:
        flat = event.flat
        action = flat.get("event.action")
        if action != "login" or flat.get("event.dataset") != "mlm.auth":
            if action == "password_reset_completed" and flat.get("user.id"):
                self.resets.put(str(flat["user.id"]), event.ts, event.ts)
                return []
            return self.chain.process(event)
        outcome = flat.get("event.outcome")
        if outcome == "failure":
            # A name no account has cannot be the one that logs in next (a combo list's): tested
            # here, before any call, as most failed logins of a stuffing wave are such names.
            if flat.get("mlm.auth.failure_reason") != "unknown_user":
                self._failed(event)
            return []
        user = flat.get("user.id")
        if outcome != "success" or not user:
            return []
        return self._login(event, str(user))

    def _login(self, event: Event, user: str) -> list[Alert]:
        """A successful password step: scored against the user's habits, learned unless a stranger's."""
        place, device = place_of(event), device_of(event)
        novelty = self.profiles.novelty(user, event.ts, place, device)
        shared = self._shared_exit(event, user)
        reset_at = self.resets.get(user, event.ts)  # a reset within the hour
        reset = reset_at is not None
        self.resets.pop(user)
        # Failures before a reset are the owner forgetting the old password, not a guesser.
        failures = self._recent_failures(event, user, device, since=reset_at or 0.0)
        risk, reasons = self.score(novelty, place, *failures, shared=shared,
                                   reset=reset)
        alerting = self.alerts(novelty, reasons, risk)
        if not alerting:
            # A stranger's login is not learned: the thief's next login (days later, to change the
            # bank) must look as strange as the first one.
            self.profiles.learn(user, event.ts, place, device)
        if risk >= CHAIN_START:
            self.chain.suspicious_login(user, event, reasons, risk, stranger=alerting)
        if not alerting or not self.suppress.allow(user, event.ts):
            return []
        return [make_alert(
            rule_id="mlm-ato-login-risk", rule_name="Login unlike the user's habits",
            category="account_takeover", severity="medium", risk=min(79, risk), entity=("user", user),
            ts=event.ts, evidence=[event.id],
            summary=f"User {short(user)} logged in with {', '.join(reasons)} (risk {risk}).",
            tags=["attack.initial_access", "attack.t1078"],
            extra={"mlm_siem": {"reasons": reasons, "country": place.country}},
        )]

    @staticmethod
    def alerts(novelty: Novelty, reasons: list[str], risk: int) -> bool:
        """Whether a login scored `risk` alerts on its own, given how much history judged it."""
        if novelty.history >= STRANGER_HISTORY and "new_country" in reasons and "new_device" in reasons:
            return True
        return risk >= (ALERT_AT if novelty.history >= MATURE else ALERT_AT_THIN)

    @staticmethod
    def score(novelty: Novelty, place: Place, failures: int, same_client: int = 0,
              shared: bool = False, reset: bool = False) -> tuple[int, list[str]]:
        """Risk points and their reasons for one login."""
        reasons = novelty.labels()
        if (place.hosting or shared) and "new_country" in reasons:
            reasons.remove("new_country")  # a VPN exit's country says nothing about the person
        risk = sum(WEIGHTS[r] for r in reasons)
        if novelty.known_device:
            # The user's own device cookie vouches: a traveller's new country, network and time zone
            # on their usual phone stay below the bar where a contact change alerts.
            risk = max(0, risk - KNOWN_DEVICE_CREDIT)
        if failures >= 3:
            reasons.append(f"{failures} failures before")
            risk += 40 if failures < 10 else 50  # a guessed password is a break-in on its own
        elif same_client and reasons:
            reasons.append("failed first")
            risk += 10  # the first try of a pasted, stolen password often fails
        if reset and not novelty.history:
            # No habits to judge by, yet the password was just reset: watch the session as a
            # stranger's, so an e-mail change right after (the owner locked out) alerts.
            reasons += ["no login history", "password reset first"]
            risk += STRANGER_RESET
        elif reset and reasons:
            reasons.append("password reset first")
            risk += 20  # with an owned mailbox a thief resets the password: a contact change then alerts
        return min(100, risk), reasons

    def _failed(self, event: Event) -> None:
        """A failed password step for a real account (or a name the app did not say is unknown)."""
        flat = event.flat
        name = flat.get("user.id") or flat.get("user.name")
        if name:
            times = self.failures.setdefault(str(name)[:256], event.ts, _fifty, 60.0)
            times.append((event.ts, str(event.flat.get("source.ip") or ""), device_of(event)))

    def _recent_failures(self, event: Event, user: str, device: str | None,
                         since: float = 0.0) -> tuple[int, int]:
        """Failures for this account in the last hour, and those from this very client in 15 minutes."""
        name = str(event.flat.get("user.name") or user)[:256]
        if user not in self.failures and name not in self.failures:
            return 0, 0  # most logins follow no failure at all: no key set, no lists
        keys = {user, name}
        tries = [t for k in keys for t in (self.failures.get(k, event.ts) or ())]
        if not tries:
            return 0, 0
        ip = str(event.flat.get("source.ip") or "")
        recent = [t for t in tries if 0 <= event.ts - t[0] <= FAIL_WINDOW and t[0] > since]
        mine = sum(1 for ts, addr, dev in recent
                   if event.ts - ts <= CLIENT_FAIL_WINDOW and (addr == ip or (device and dev == device)))
        return len(recent), mine

    def _shared_exit(self, event: Event, user: str) -> bool:
        """Whether the login's network is used by several members (counting this one, up to the bar)."""
        net = network_of(event.flat.get("source.ip"))
        if net is None:
            return False
        members = self.exits.setdefault(net, event.ts, set, 60.0)  # a month-long memory: touched once a minute
        if len(members) < SHARED_EXIT_USERS:
            members.add(user)
        return len(members) >= SHARED_EXIT_USERS

    def observe_baseline(self, event: Event) -> None:
        if is_login(event, "success") and event.flat.get("user.id"):
            user = str(event.flat["user.id"])
            self._shared_exit(event, user)
            self.profiles.learn(user, event.ts, place_of(event), device_of(event))

    def fit_baseline(self) -> None:
        """Nothing global to fit: habits are per user and learned while observing."""

    def save(self, directory: Path) -> None:
        save_book(directory, SCHEMA, self.profiles)

    def load(self, directory: Path) -> bool:
        return load_book(directory, SCHEMA, self.profiles)
