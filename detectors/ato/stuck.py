"""Spraying spread over a whole proxy pool: real accounts failing and never logging in, service-wide.

A spray through thousands of residential addresses gives no network or operator more than a few
accounts, so the per-network count (spraying.py) never fills. What stays visible is the service's
count of real accounts whose password failed and which did not log in within ten minutes: members
who mistype log in seconds later, members who forgot reset and log in; a sprayer's victims stay
failed. The hourly bar is fitted on the deployment's baseline (Trainable).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import is_login, make_alert, network_of, user_key
from detectors.anomaly.batch import percentile
from detectors.anomaly.models import FeatureSchema, load_bar, save_model
from detectors.anomaly.state import SlidingWindow
from detectors.ato.silence import SilentFailures

SCHEMA = FeatureSchema("ato_stuck_accounts", 1, ("stuck_per_hour",))
GRACE = 600.0     # an account that logs in within ten minutes of failing was a typo
WINDOW = 3600.0
MIN_STUCK = 20    # floor of the bar: an hour rarely strands this many members at once
MIN_NETWORKS = 5  # fewer networks is the per-network detector's (and the Sigma rule's) case
FACTOR = 4.0      # the bar: 4x the worst benign hour of the baseline


class StuckAccounts:
    """Alerts once per wave when the hour's never-recovered failed accounts pass the bar."""

    name = "ato.stuck_accounts"  # run inside ato.password_spraying (global), not registered alone
    datasets = frozenset({"mlm.auth"})
    actions = frozenset({"login"})

    def __init__(self) -> None:
        self.silent = SilentFailures(GRACE)  # account -> (event id, ip) of its first failure
        self.stuck: SlidingWindow[tuple[str, str]] = SlidingWindow(WINDOW, 100_000)  # (event id, net)
        self.nets: Counter[str] = Counter()
        self.bar = float(MIN_STUCK)
        self.armed = True
        self._hours: Counter[int] = Counter()
        self._learning = False

    def process(self, event: Event) -> list[Alert]:
        if not is_login(event):
            return []
        return self.login(event, user_key(event), event.flat.get("event.outcome"))

    def login(self, event: Event, account: str | None, outcome: object) -> list[Alert]:
        """A password-step login already read by the caller (the spraying detector reads it once)."""
        if account and outcome == "success":
            self.silent.logged_in(account)
        elif account and outcome == "failure" and event.flat.get("mlm.auth.failure_reason") == "bad_password" \
                and not self.silent.retried(account):
            self.silent.add(account, event.ts, (event.id, str(event.flat.get("source.ip") or "")))
        # Nothing matures on most logins: the queue's head is checked before any maturing loop runs.
        if not self.silent.due(event.ts) or not self._mature(event.ts):
            return []
        return self._judge(event)

    def _mature(self, now: float) -> bool:
        """Move accounts failed over ten minutes ago and still not logged in to the stuck window."""
        grew = False
        for ts, (event_id, ip), _tries in self.silent.matured(now):
            net = network_of(ip) or ip
            if self._learning:
                self._hours[int(ts // WINDOW)] += 1
                continue
            self.nets[net] += 1
            for _, old_net in self.stuck.add(now, (event_id, net)):
                self.nets[old_net] -= 1
                if self.nets[old_net] <= 0:
                    del self.nets[old_net]
            grew = True
        return grew

    def _judge(self, event: Event) -> list[Alert]:
        count = len(self.stuck)
        if not self.armed:
            self.armed = count < self.bar / 2  # that wave is over: the next one is news
            return []
        if count < self.bar or len(self.nets) < MIN_NETWORKS:
            return []
        self.armed = False
        return [make_alert(
            rule_id="mlm-ato-stuck-accounts", rule_name="Password spraying across many networks",
            category="account_takeover", severity="high", risk=75 + min(20, count // 10),
            entity=("service", str(event.flat.get("service.name") or "mlm_app")), ts=event.ts,
            evidence=[eid for eid, _ in self.stuck.values()[-100:]],
            summary=(f"{count} real accounts failed a password and did not log in within "
                     f"{int(GRACE // 60)} minutes, from {len(self.nets)} networks within the hour "
                     f"(bar {self.bar:.0f})."),
            tags=["attack.credential_access", "attack.t1110.003", "attack.t1110"],
            extra={"mlm_siem": {"accounts": count, "networks": len(self.nets)}},
        )]

    # Trainable: the same bookkeeping over the baseline, counting stranded accounts per hour.
    def observe_baseline(self, event: Event) -> None:
        self._learning = True
        self.process(event)
        self._learning = False

    def fit_baseline(self) -> None:
        self._learning = True
        self._mature(float("inf"))
        self._learning = False
        self.silent = SilentFailures(GRACE)
        self.bar = max(float(MIN_STUCK), FACTOR * percentile([float(v) for v in self._hours.values()], 99.5, 0.0))
        self._hours.clear()

    def save(self, directory: Path) -> None:
        save_model(directory, SCHEMA, {"bar": self.bar})

    def load(self, directory: Path) -> bool:
        bar = load_bar(directory, SCHEMA, float(MIN_STUCK))
        if bar is None:
            return False
        self.bar = bar
        return True
