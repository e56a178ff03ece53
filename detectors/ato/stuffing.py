"""Credential stuffing spread over many IPs: service-wide failed-login rate and breadth.

Per-IP counting misses a botnet that tries each stolen pair from a different address, so this
looks at the whole service: many failures over many usernames and addresses, a high share of
unknown usernames or of failures, in a short window. The failure-rate bar adapts to the
deployment's own baseline (Trainable) so a large population does not look like an attack.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import is_login, make_alert, user_key
from detectors.anomaly.batch import percentile
from detectors.anomaly.models import FeatureSchema, load_model, save_model
from detectors.anomaly.state import SlidingWindow, Suppressor

SCHEMA = FeatureSchema("ato_stuffing_rate", 1, ("failures_per_window",))


@dataclass(frozen=True, slots=True)
class Attempt:
    event_id: str
    user: str
    ip: str
    reason: str


class CredentialStuffing:
    """Alerts once per window when the service sees a broad, failing login wave."""

    name = "ato.credential_stuffing"
    # Only password-step logins matter (process returns [] for anything else): the engine skips the rest.
    datasets = frozenset({"mlm.auth"})
    actions = frozenset({"login"})
    window = 300.0          # stuffing runs fast: minutes, not hours
    min_failures = 15       # below this a 5-minute window is ordinary typo noise
    min_users = 12
    min_ips = 3             # a single address is the per-IP Sigma rule's job
    baseline_factor = 4.0   # the bar: 4x the worst benign window seen in the baseline

    def __init__(self) -> None:
        self.failures: SlidingWindow[Attempt] = SlidingWindow(self.window, 20_000)
        self.users: Counter[str] = Counter()   # running counts over `failures`, kept in step
        self.ips: Counter[str] = Counter()
        self.unknown = 0
        self.successes: SlidingWindow[None] = SlidingWindow(self.window, 20_000)
        self.suppress = Suppressor(3600.0)
        self.bar = float(self.min_failures)
        self._last_alert = float("-inf")
        self._baseline: list[float] = []
        self._bucket: tuple[int, int] | None = None

    def process(self, event: Event) -> list[Alert]:
        if not is_login(event):
            return []
        if event.flat.get("event.outcome") == "success":
            self.successes.add(event.ts, None)
            return []
        if event.flat.get("event.outcome") != "failure":
            return []
        attempt = Attempt(event.id, user_key(event) or "", str(event.flat.get("source.ip", "")),
                          str(event.flat.get("mlm.auth.failure_reason", "")))
        self._count(attempt, 1)
        for old in self.failures.add(event.ts, attempt):
            self._count(old, -1)
        self.successes.expire(event.ts)
        return self._judge(event)

    def _count(self, attempt: Attempt, step: int) -> None:
        for counter, key in ((self.users, attempt.user), (self.ips, attempt.ip)):
            counter[key] += step
            if counter[key] <= 0:
                del counter[key]
        self.unknown += step if attempt.reason == "unknown_user" else 0

    def _judge(self, event: Event) -> list[Alert]:
        fails = len(self.failures)
        users, ips = self.users, self.ips
        if fails < self.bar or len(users) < self.min_users or len(ips) < self.min_ips:
            return []
        if event.ts - self._last_alert < self.suppress.window:
            return []  # an ongoing wave: skip the per-event ranking work
        unknown = self.unknown / fails
        fail_share = fails / (fails + len(self.successes))
        if unknown < 0.3 and fail_share < 0.3:
            return []  # a busy hour (flash sale): mostly successes, real usernames
        top_user, top_count = users.most_common(1)[0]
        entity = ("user", top_user) if top_count >= fails / 2 else \
            ("service", str(event.flat.get("service.name") or "mlm_app"))
        if not self.suppress.allow(entity, event.ts):
            return []
        self._last_alert = event.ts
        attempts = self.failures.values()[-100:]
        risk = 70 + min(25, int(10 * unknown + 10 * fail_share + len(ips) / 20))
        return [make_alert(
            rule_id="mlm-ato-credential-stuffing", rule_name="Credential stuffing across many addresses",
            category="account_takeover", severity="high", risk=risk, entity=entity, ts=event.ts,
            evidence=[a.event_id for a in attempts],
            summary=(f"{fails} failed logins for {len(users)} usernames from {len(ips)} addresses in "
                     f"{int(self.window // 60)} minutes ({unknown:.0%} unknown usernames)."),
            tags=["attack.credential_access", "attack.t1110.004", "attack.t1110"],
            extra={"mlm_siem": {"failures": fails, "users": len(users), "ips": len(ips)}},
        )]

    # Trainable: the worst benign failure count per window sets the bar.
    def observe_baseline(self, event: Event) -> None:
        if not is_login(event, "failure"):
            return
        bucket = int(event.ts // self.window)
        if self._bucket is not None and self._bucket[0] == bucket:
            self._bucket = (bucket, self._bucket[1] + 1)
            return
        if self._bucket is not None:
            self._baseline.append(float(self._bucket[1]))
        self._bucket = (bucket, 1)

    def fit_baseline(self) -> None:
        if self._bucket is not None:
            self._baseline.append(float(self._bucket[1]))
            self._bucket = None
        worst = percentile(self._baseline, 99.5, 0.0)
        self.bar = max(float(self.min_failures), self.baseline_factor * worst)
        self._baseline = []

    def save(self, directory: Path) -> None:
        save_model(directory, SCHEMA, {"bar": self.bar})

    def load(self, directory: Path) -> bool:
        loaded = load_model(directory, SCHEMA)
        if loaded is None:
            return False
        self.bar = max(float(self.min_failures), float(loaded[0].get("bar", self.min_failures)))
        return True
