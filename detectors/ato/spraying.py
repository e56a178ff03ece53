"""Slow password spraying: many accounts, a try or two each, over hours, from one network.

Counts distinct accounts per /24 (or /48) and per operator (AS) over a day-long sliding window, so
rotating addresses inside one network does not split the count and a spray paced at one try per
account an hour still adds up. A shared office behind NAT also fails logins for many people, but
its people then log in successfully and its traffic is mostly successes; a sprayer's victims stay
failed. A script (bare HTTP-library agent) failing for two real accounts is already a spray.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import is_login, make_alert, network_of, user_key
from detectors.anomaly.state import BoundedMap, Suppressor
from detectors.ato.oneclient import OneClientSpray
from detectors.ato.stuck import StuckAccounts
from detectors.ato.where import Place, place_of

WINDOW = 24 * 3600.0  # sprayers pace themselves under lockout thresholds: look back a day
TOUCH_EVERY = 60.0  # idle clocks of a day-long window need no refresh on every failure
_KEYS: dict[str, tuple[Place, tuple[str, ...]]] = {}  # address -> (its place, counting keys)
# Bare HTTP-library and attack-tool agents: people log in with browsers and apps, scripts with these.
TOOL_AGENTS = ("python-requests", "python-urllib", "aiohttp", "httpx", "curl/", "wget/", "go-http-client",
               "libwww-perl", "java/", "axios/", "node-fetch", "sqlmap", "hydra", "scrapy",
               "pycurl", "masscan", "nikto", "headlesschrome", "phantomjs")


@lru_cache(maxsize=4096)  # agents repeat all day; the scan is 17 substring tests
def is_tool(agent: str) -> bool:
    """A bare HTTP-library or attack-tool agent."""
    lowered = agent.lower()
    return any(marker in lowered for marker in TOOL_AGENTS)


@dataclass(slots=True)
class Tries:
    fails: int = 0
    successes: int = 0
    tool: bool = False  # a tool agent (a script, not a person) sent a failure for this account
    ip: str = ""        # the address of its latest failure


class Network:
    """Failed and recovered accounts of one network, operator or the hosting pool (a plain class:
    stuffing waves from fresh addresses create thousands)."""

    __slots__ = ("evidence", "ips", "stuck", "stuck_tools", "tools", "unknown", "users")

    def __init__(self) -> None:
        self.users: BoundedMap[str, Tries] = BoundedMap(500, WINDOW)
        self.ips: dict[str, int] = {}
        self.unknown = 0  # failures for names that do not exist: a combo list, not a target list
        self.tools = 0    # accounts a tool agent failed for (an upper bound: expired ones stay counted)
        self.evidence: deque[str] = deque(maxlen=100)
        # Upper bounds of the accounts failed and never recovered (and of those a tool failed for):
        # expired accounts stay counted until a judgement counts them exactly. Below the bars, the
        # judgement (a scan of up to 500 accounts) cannot alert and is skipped.
        self.stuck = 0
        self.stuck_tools = 0


class PasswordSpraying:
    """Alerts when one network fails logins for many accounts that never then log in."""

    name = "ato.password_spraying"
    # Only password-step logins matter (process returns [] for anything else): the engine skips the rest.
    datasets = frozenset({"mlm.auth"})
    actions = frozenset({"login"})
    min_users = 8         # distinct real accounts failed and never recovered from this network
    min_users_tool = 2    # the same, when a script (tool agent) sent the failures of each of them
    max_tries = 3         # sprayers stay under lockout: few tries per account
    min_fail_share = 0.6  # offices are mostly successes

    def __init__(self) -> None:
        self.networks: BoundedMap[str, Network] = BoundedMap(50_000, WINDOW)
        self.suppress = Suppressor(WINDOW)
        # The same attack spread over a whole proxy pool, counted service-wide (stuck.py); run from
        # here so that the spraying detector is one global unit (detectors/scope.py).
        self.service = StuckAccounts()
        self.one_client = OneClientSpray()  # the same pool driven by one client program: found sooner

    def process(self, event: Event) -> list[Alert]:
        if not is_login(event):
            return []
        # Read once for the three counts: this runs for every login of the service.
        user, outcome = user_key(event), event.flat.get("event.outcome")
        alerts = self._per_network(event, user, outcome)
        service = self.service.login(event, user, outcome)
        pool = self.one_client.login(event, user, outcome)
        return alerts + service + pool if service or pool else alerts

    def _per_network(self, event: Event, user: str | None, outcome: object) -> list[Alert]:
        ip = event.flat.get("source.ip")
        if not ip or not user or (outcome != "failure" and outcome != "success"):
            return []
        ip = str(ip)
        if outcome == "success":
            self._success(event, ip, user)
            return []
        keys, ts, networks = self._keys(event, ip), event.ts, self.networks
        if event.flat.get("mlm.auth.failure_reason") == "unknown_user":
            for key in keys:  # sprayers try real accounts; unknown names are the stuffing detector's
                networks.setdefault(key, ts, Network, TOUCH_EVERY).unknown += 1
            return []
        tool = is_tool(str(event.flat.get("user_agent.original") or "")[:512])
        alerts: list[Alert] = []
        for key in keys:
            net = networks.setdefault(key, ts, Network, TOUCH_EVERY)
            tries = net.users.setdefault(user, ts, Tries, TOUCH_EVERY)
            tries.fails += 1
            if tries.fails == 1 and not tries.successes:
                net.stuck += 1
            if tool and not tries.tool:
                tries.tool = True
                net.tools += 1
                if not tries.successes:
                    net.stuck_tools += 1
            tries.ip = ip
            net.evidence.append(event.id)
            if len(net.ips) < 256 or ip in net.ips:
                net.ips[ip] = net.ips.get(ip, 0) + 1
            if (len(net.users) >= self.min_users or net.tools >= self.min_users_tool) and \
                    (net.stuck >= self.min_users or net.stuck_tools >= self.min_users_tool):
                alerts.extend(self._judge(key, net, event))
        return alerts

    def _success(self, event: Event, ip: str, user: str) -> None:
        """A login that worked clears its account, in networks already watched for failures only:
        most logins come from networks that never failed, and cost nothing here."""
        ts = event.ts
        for key in self._keys(event, ip):
            net = self.networks.get_lazily(key, ts, TOUCH_EVERY)
            if net is not None:
                tries = net.users.setdefault(user, ts, Tries, TOUCH_EVERY)
                if tries.fails and not tries.successes:  # it was stuck: now it recovered
                    net.stuck -= 1
                    net.stuck_tools -= tries.tool
                tries.successes += 1

    # Trainable (the service-wide bar); per-network state warms on the baseline as on live events.
    def observe_baseline(self, event: Event) -> None:
        if is_login(event):
            self._per_network(event, user_key(event), event.flat.get("event.outcome"))
        self.service.observe_baseline(event)
        self.one_client.observe_baseline(event)

    def fit_baseline(self) -> None:
        self.service.fit_baseline()
        self.one_client.fit_baseline()

    def save(self, directory: Path) -> None:
        self.service.save(directory)
        self.one_client.save(directory)

    def load(self, directory: Path) -> bool:
        found = self.service.load(directory)
        return self.one_client.load(directory) or found

    @staticmethod
    def _keys(event: Event, ip: str) -> tuple[str, ...]:
        place = place_of(event)
        # Per address, the place it was judged with: the same Place object (where.py caches one per
        # address and enrichment) means the same keys. The entry holds the object, so its identity
        # cannot be reused while cached.
        memo = _KEYS.get(ip)
        if memo is not None and memo[0] is place:
            return memo[1]
        found = [f"net:{network_of(ip)}"]
        if place.asn:
            found.append(f"asn:{place.asn}")
        if place.hosting:
            # Members log in from clouds only through a VPN, and then succeed: a spray rented across
            # several providers adds up here even when each provider sees only a few accounts.
            found.append("hosting:all")
        if len(_KEYS) >= 16_384:
            _KEYS.clear()
        keys = tuple(found)
        _KEYS[ip] = (place, keys)
        return keys

    def _judge(self, key: str, net: Network, event: Event) -> list[Alert]:
        # Bounds first (stuck accounts are at most the failed ones): most networks never get near.
        if len(net.users) < self.min_users_tool or (len(net.users) < self.min_users and net.tools < self.min_users_tool):
            return []
        stuck = [t for _, t in net.users.items() if t.fails and not t.successes]
        net.stuck, net.stuck_tools = len(stuck), sum(t.tool for t in stuck)  # exact again
        if net.stuck < self.min_users and net.stuck_tools < self.min_users_tool:
            return []
        fails = sum(t.fails for _, t in net.users.items())
        wins = sum(t.successes for _, t in net.users.items())
        tries = sorted(t.fails for t in stuck)
        if fails / (fails + wins) < self.min_fail_share or tries[len(tries) // 2] > self.max_tries:
            return []
        if net.unknown > 0.3 * (fails + net.unknown):
            return []  # mostly made-up names: a stuffing wave passing through this network
        # The address behind most never-recovered accounts: a member's typos there do not count.
        top_ip = Counter(t.ip for t in stuck).most_common(1)[0][0]
        # Counting starts afresh once reported (or already reported through another key), so a
        # later benign typo cannot resurface the old victims; an attack still going re-alerts.
        net.users, net.tools, net.stuck, net.stuck_tools = BoundedMap(500, WINDOW), 0, 0, 0
        if not self.suppress.allow(key, event.ts) or not self.suppress.allow(("ip", top_ip), event.ts):
            return []
        label = key.split(":", 1)[1]
        where = {"net": f"network {label}", "asn": f"operator AS {label}"}.get(key.split(":", 1)[0],
                                                                               "hosting and VPN operators")
        # A script's few victims are medium (probable); the full count of accounts is high.
        high = len(stuck) >= self.min_users
        return [make_alert(
            rule_id="mlm-ato-password-spraying", rule_name="Password spraying from one network",
            category="account_takeover", severity="high" if high else "medium",
            risk=(75 if high else 55) + min(20, len(stuck) // 5),
            entity=("ip", top_ip), ts=event.ts, evidence=list(net.evidence),
            summary=(f"{len(stuck)} accounts failed logins from {where} ({len(net.ips)} addresses), "
                     f"a median {tries[len(tries) // 2]} tries each, none then logged in."),
            tags=["attack.credential_access", "attack.t1110.003", "attack.t1110"],
            extra={"mlm_siem": {"network": label, "accounts": len(stuck)}},
        )]
