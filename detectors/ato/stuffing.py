"""Credential stuffing spread over many IPs: service-wide failed-login rate and breadth.

Per-IP counting misses a botnet that tries each stolen pair from a different address, so this
looks at the whole service: many failures over many usernames, addresses and networks, a high
share of unknown usernames or of failures. Two windows: five minutes for a fast wave, an hour
for a slow one (one try per address from thousands of residential proxies). Each window's bar
adapts to the deployment's own baseline (Trainable) so a large population does not look like an
attack.
"""

from __future__ import annotations

from pathlib import Path

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import is_login, make_alert
from detectors.anomaly.models import FeatureSchema, load_model, save_model
from detectors.anomaly.state import BoundedMap
from detectors.ato.wave import Attempt, Wave

SCHEMA = FeatureSchema("ato_stuffing_rate", 2, ("failures_per_window", "unknown_per_window"))


class CredentialStuffing:
    """Alerts once per wave when the service sees a broad, failing login wave."""

    name = "ato.credential_stuffing"
    # Only password-step logins matter (process returns [] for anything else): the engine skips the rest.
    datasets = frozenset({"mlm.auth"})
    actions = frozenset({"login"})
    window = 300.0          # stuffing runs fast: minutes, not hours
    min_failures = 15       # below this a 5-minute window is ordinary typo noise
    min_users = 12
    min_ips = 3             # a single address is the per-IP Sigma rule's job

    def __init__(self) -> None:
        # Why these floors: an hour of a mid-size service holds a few dozen typos; a slow botnet
        # at one try a minute from fresh addresses passes 40 within the hour.
        self.waves = (Wave(self.window, self.min_failures, self.min_users, self.min_ips),
                      Wave(3600.0, 40, 30, 20))
        # One alert per wave (see Wave.armed), and per entity and window per hour unless the wave
        # doubled since (a login flood, then a stuffing campaign: two alerts; a steady one: one).
        self.reported: BoundedMap[tuple[str, str, float], int] = BoundedMap(10_000, 3600.0)

    @property
    def bar(self) -> float:
        """The fast window's failure bar (the slow one has its own)."""
        return self.waves[0].bar

    @bar.setter
    def bar(self, value: float) -> None:
        self.waves[0].bar = value

    def process(self, event: Event) -> list[Alert]:
        flat = event.flat
        if flat.get("event.action") != "login" or flat.get("event.dataset") != "mlm.auth":
            return []  # is_login, inlined: this runs for every login of the service
        outcome = flat.get("event.outcome")
        if outcome == "success":
            for wave in self.waves:
                wave.success(event.ts)
            return []
        if outcome != "failure":
            return []
        attempt = Attempt.of(event)
        alerts: list[Alert] = []
        for wave in self.waves:
            wave.add(event.ts, attempt)
            # The bar test inlined before hot(): quiet windows (nearly all of them) cost no call.
            if not alerts and wave.armed and (len(wave.failures.items) >= wave.bar or
                                              wave.unknown >= wave.unknown_bar) and wave.hot():
                alerts = self._alert(wave, event)
        if alerts:
            for wave in self.waves:
                wave.disarm(event.ts)
        return alerts

    def _alert(self, wave: Wave, event: Event) -> list[Alert]:
        fails, users = len(wave.failures), wave.users
        top_user, top_count = users.most_common(1)[0]
        entity = ("user", top_user) if top_count >= fails / 2 else \
            ("service", str(event.flat.get("service.name") or "mlm_app"))
        if not self._news(entity, wave, event.ts):
            return []
        unknown, fail_share = wave.unknown / fails, wave.fail_share()
        risk = 70 + min(25, int(10 * unknown + 10 * fail_share + len(wave.ips) / 20))
        minutes = int(wave.span // 60)
        return [make_alert(
            rule_id="mlm-ato-credential-stuffing", rule_name="Credential stuffing across many addresses",
            category="account_takeover", severity="high", risk=risk, entity=entity, ts=event.ts,
            evidence=[a.event_id for a in wave.failures.values()[-100:]],
            summary=(f"{fails} failed logins for {len(users)} usernames from {len(wave.ips)} addresses in "
                     f"{len(wave.nets)} networks within {minutes} minutes ({unknown:.0%} unknown usernames)."),
            tags=["attack.credential_access", "attack.t1110.004", "attack.t1110"],
            extra={"mlm_siem": {"failures": fails, "users": len(users), "ips": len(wave.ips),
                                "networks": len(wave.nets), "window_s": int(wave.span)}},
        )]

    def _news(self, entity: tuple[str, str], wave: Wave, ts: float) -> bool:
        """True (and remember its size) unless this entity was reported within the hour, from
        this window, for a wave at least half as large."""
        key, fails = (*entity, wave.span), len(wave.failures)
        before = self.reported.get(key, ts)
        if before is not None and fails < 2 * before:
            return False
        self.reported.put(key, ts, fails)
        return True

    # Trainable: the worst benign counts per window set each window's bars.
    def observe_baseline(self, event: Event) -> None:
        if is_login(event, "failure"):
            unknown = event.flat.get("mlm.auth.failure_reason") == "unknown_user"
            for wave in self.waves:
                wave.observe(event.ts, unknown)

    def fit_baseline(self) -> None:
        for wave in self.waves:
            wave.fit()

    def save(self, directory: Path) -> None:
        save_model(directory, SCHEMA, {"waves": [[w.bar, w.unknown_bar] for w in self.waves]})

    def load(self, directory: Path) -> bool:
        loaded = load_model(directory, SCHEMA)
        if loaded is None:
            return False
        rows = loaded[0].get("waves")
        if isinstance(rows, list):
            for wave, row in zip(self.waves, rows):
                if isinstance(row, list) and len(row) == 2:
                    wave.set_bars(row[0], row[1])
        return True
