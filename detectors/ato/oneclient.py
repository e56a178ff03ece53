"""Password spraying by one client program over a proxy pool: one try per real account, then silence.

A low-and-slow spray rotates addresses (no network sees more than a few accounts) but runs one
tool with one user agent, tries each real account once and never logs in. Members are the
opposite: a typo is retried or followed by a login within seconds, a forgotten password is tried
several times, then reset. So: real accounts failed once, then silent for two minutes, counted
per exact user agent over the hour, from several networks. The bar is fitted on the baseline
(the worst benign agent-hour), so a population sharing one phone's agent string stays quiet.
"""

from __future__ import annotations

from pathlib import Path

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import is_login, make_alert, network_of, short, user_key
from detectors.anomaly.models import FeatureSchema, load_bar, save_model
from detectors.anomaly.state import BoundedMap, SlidingWindow
from detectors.ato.silence import SilentFailures

SCHEMA = FeatureSchema("ato_one_client_spray", 1, ("silent_accounts_per_agent_hour",))
GRACE = 120.0    # members retry a typo or log in within seconds; two minutes of silence is a spray's
WINDOW = 3600.0
MIN_ACCOUNTS = 6  # floor of the bar: six accounts tried once by one agent within the hour
MIN_NETWORKS = 3  # fewer is one address (or /24) at work: the per-network detectors' case
FACTOR = 3.0      # the bar: 3x the worst benign agent-hour of the baseline
AGENT_CHARS = 256


class OneClientSpray:
    """Alerts once per agent per wave when accounts tried once and left silent pass the bar."""

    name = "ato.one_client_spray"  # run inside ato.password_spraying (global), not registered alone

    def __init__(self) -> None:
        # account -> (event id, agent, network) of its one failure; a person's retry spoils it
        self.silent = SilentFailures(GRACE)
        self.agents: BoundedMap[str, SlidingWindow[tuple[str, str]]] = BoundedMap(10_000, WINDOW)
        # agent -> when its latest silent account joined, once alerted: one alert per wave, re-armed
        # only after an hour without new victims from that agent.
        self.alerted: BoundedMap[str, float] = BoundedMap(10_000, WINDOW)
        self.bar = float(MIN_ACCOUNTS)
        self._worst = 0
        self._learning = False

    def process(self, event: Event) -> list[Alert]:
        if not is_login(event):
            return []
        return self.login(event, user_key(event), event.flat.get("event.outcome"))

    def login(self, event: Event, account: str | None, outcome: object) -> list[Alert]:
        """A password-step login already read by the caller (the spraying detector reads it once)."""
        if account and outcome == "success":
            self.silent.logged_in(account)
        elif account and outcome == "failure":
            self._failed(event, account)
        if not self.silent.due(event.ts):
            return []
        return self._mature(event)

    def _failed(self, event: Event, account: str) -> None:
        if self.silent.retried(account):
            return  # tried again: a person, or a guesser at one account (brute force's case)
        agent = event.flat.get("user_agent.original")
        if event.flat.get("mlm.auth.failure_reason") != "bad_password" or not isinstance(agent, str):
            return
        net = network_of(event.flat.get("source.ip")) or ""
        self.silent.add(account, event.ts, (event.id, agent[:AGENT_CHARS], net))

    def _mature(self, event: Event) -> list[Alert]:
        """Accounts failed once over two minutes ago and silent since join their agent's window."""
        alerts: list[Alert] = []
        now = event.ts
        for ts, (event_id, agent, net), tries in self.silent.matured(now):
            if tries > 1:
                continue
            window = self.agents.setdefault(agent, now, lambda: SlidingWindow(WINDOW, 1_000))
            window.add(ts, (event_id, net))
            if self._learning:
                self._worst = max(self._worst, len(window))
            elif not alerts:
                alerts = self._judge(agent, window, event)
        return alerts

    def _judge(self, agent: str, window: SlidingWindow[tuple[str, str]], event: Event) -> list[Alert]:
        last = self.alerted.get(agent, event.ts)
        if last is not None and event.ts - last <= WINDOW:
            self.alerted.put(agent, event.ts, event.ts)  # the same wave goes on
            return []
        count = len(window)
        if count < self.bar:
            return []
        nets = {net for _, net in window.values()}
        if len(nets) < MIN_NETWORKS:
            return []
        self.alerted.put(agent, event.ts, event.ts)
        return [make_alert(
            rule_id="mlm-ato-one-client-spray", rule_name="Password spraying by one client over many addresses",
            category="account_takeover", severity="high", risk=75 + min(20, count // 5),
            entity=("service", str(event.flat.get("service.name") or "mlm_app")), ts=event.ts,
            evidence=[eid for eid, _ in window.values()[-100:]],
            summary=(f"{count} real accounts each failed one password from the same client "
                     f"({short(agent, 80)}) across {len(nets)} networks within the hour, and none "
                     f"retried or logged in (bar {self.bar:.0f})."),
            tags=["attack.credential_access", "attack.t1110.003", "attack.t1110"],
            extra={"mlm_siem": {"accounts": count, "networks": len(nets)}},
        )]

    # Trainable: the same bookkeeping over the baseline, remembering the worst agent-hour.
    def observe_baseline(self, event: Event) -> None:
        self._learning = True
        self.process(event)
        self._learning = False

    def fit_baseline(self) -> None:
        self.bar = max(float(MIN_ACCOUNTS), FACTOR * self._worst)
        self.silent = SilentFailures(GRACE)
        self.agents = BoundedMap(10_000, WINDOW)
        self._worst = 0

    def save(self, directory: Path) -> None:
        save_model(directory, SCHEMA, {"bar": self.bar})

    def load(self, directory: Path) -> bool:
        bar = load_bar(directory, SCHEMA, float(MIN_ACCOUNTS))
        if bar is None:
            return False
        self.bar = bar
        return True
