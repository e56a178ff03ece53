"""Demo traffic for `mlm-siem up`: live visitors and attacks against the running MLM app.

Three strands run side by side until `stop` is set:
- visitors (threads): seeded distributors sign in, browse and buy; anonymous shoppers search;
- attack waves over HTTP (injection scan, brute force, credential stuffing, flood): a quick first
  round so every family has an incident within the first minute, then one wave every `attack_every`;
- business scenarios (fake-account ring, shared bank, payout redirection, ...) from the simulated
  world, played to the collector in wall-clock time (`demo_feed`).
Everything is seeded and bounded; a failing request or wave is logged and the demo goes on.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from simulator import demo_web as web
from simulator.demo_feed import ATO_KINDS, FRAUD_KINDS, Feed, ScenarioSource

log = logging.getLogger("simulator.demo")
VICTIMS = 40  # the last seeded accounts are the attacks' targets; benign members never use them
STATUS_EVERY = 30.0
CAST_REST = 60.0  # seconds after its scenario before a member's live visits resume


@dataclass
class DemoOptions:
    """What the demo may use: seeded accounts and their password, the collector and its token."""

    seed: int = 7
    run: int = 0  # which start of the stack this is: each one attacks from new addresses
    members: int = 0  # seeded distributors dist000001..dist{members}
    password: str | None = None
    collector_url: str | None = None
    ingest_token: str | None = None
    visitors: int = 3  # benign visitor threads (about 6 app requests a second together)
    attack_every: float = 30.0
    transport: web.TransportFactory | None = None


@dataclass
class Counters:
    """What the demo did, for its status line and tests."""

    requests: int = 0
    waves: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, requests: int, wave: str | None = None) -> None:
        with self._lock:
            self.requests += requests
            if wave:
                self.waves[wave] = self.waves.get(wave, 0) + 1


Wave = Callable[[random.Random], int]


class Demo:
    """The three strands, sharing one set of clients and counters."""

    def __init__(self, app_url: str, stop: threading.Event, options: DemoOptions) -> None:
        self.options = options
        # Runs differ (a restart must open new incidents, not only extend old ones); a run repeats.
        self.seed = options.seed + 7919 * options.run
        self.stop = stop
        self.clients = web.Clients(app_url, options.transport)
        self.counters = Counters()
        self.feed: Feed | None = None
        self.source: ScenarioSource | None = None
        # Members a business scenario plays -> until when (monotonic): live visitors leave them alone
        # meanwhile, or a visit's login from loopback (no place) would stand between the owner's
        # login and the thief's; afterwards they shop again (a long demo keeps its members).
        self.cast: dict[int, float] = {}
        seeded = options.members > VICTIMS
        self.benign = list(range(1, options.members - VICTIMS + 1)) if seeded and options.password else []
        # Without seeded accounts the attacks still aim at plausible names (unknown-user failures).
        first = options.members - VICTIMS + 1 if seeded else 1
        self.victims = [f"dist{i:06d}" for i in range(first, first + VICTIMS)]

    # -- waves -------------------------------------------------------------------------------
    def waves(self) -> dict[str, Wave]:
        clients = self.clients
        fraud, ato = itertools.cycle(FRAUD_KINDS), itertools.cycle(ATO_KINDS)
        # Each brute force guesses another account: one already alerted on stays one (suppressed) incident.
        targets = itertools.cycle(random.Random(self.seed).sample(self.victims, len(self.victims)))
        return {
            "injection_scan": lambda r: web.injection_scan(clients, r),
            "credential_stuffing": lambda r: web.credential_stuffing(clients, r, self.victims, stop=self.stop),
            "flood": lambda r: web.flood(clients, r, stop=self.stop),
            "brute_force": lambda r: web.brute_force(clients, r, next(targets)),
            "fraud_scenario": lambda r: self.scenario(next(fraud)),
            "ato_scenario": lambda r: self.scenario(next(ato)),
        }

    def scenario(self, kind: str) -> int:
        """Queue one business scenario on the feed; returns its event count (0 without a collector)."""
        if self.feed is None or self.source is None:
            return 0
        events = self.source.make(kind)
        took = self.feed.play(events, self.source.span(kind))
        until = time.monotonic() + took + CAST_REST
        self.cast.update(dict.fromkeys(member_numbers(events), until))
        log.info("scenario %s: %d events over the next %.0f s", kind, len(events), took)
        return 0

    def plan(self) -> Iterator[tuple[float, str]]:
        """(seconds after start, wave name): a quick first round of every family, then a steady rotation."""
        # Every business scenario starts in the first minute, impossible travel first: its logins are
        # played ten minutes apart (demo_feed.SPANS), so it is the last to alert.
        first = ((0, "injection_scan"), (1, "fraud_scenario"), (2, "ato_scenario"), (3, "credential_stuffing"),
                 (12, "flood"), (20, "ato_scenario"), (26, "brute_force"), (34, "fraud_scenario"),
                 (40, "ato_scenario"), (48, "ato_scenario"))
        yield from first
        rotation = ("injection_scan", "fraud_scenario", "brute_force", "ato_scenario", "flood",
                    "fraud_scenario", "credential_stuffing", "ato_scenario")
        at = float(first[-1][0])
        for name in itertools.cycle(rotation):
            at += self.options.attack_every
            yield at, name

    # -- strands -----------------------------------------------------------------------------
    def run(self) -> None:
        threads = [threading.Thread(target=self._visitor, args=(i,), name=f"demo-visitor-{i}", daemon=True)
                   for i in range(self.options.visitors)]
        for thread in threads:
            thread.start()
        self._start_feed(threads)
        try:
            self._attacks()
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(15)
            self.clients.close()
            if self.feed is not None:
                self.feed.close()

    def _start_feed(self, threads: list[threading.Thread]) -> None:
        opts = self.options
        if not (opts.collector_url and opts.ingest_token):
            return
        try:
            self.source = ScenarioSource(self.seed)
        except Exception:
            log.exception("business scenarios disabled: the simulated world could not be built")
            return
        self.feed = Feed(opts.collector_url, opts.ingest_token)
        thread = threading.Thread(target=self.feed.run, args=(self.stop,), name="demo-feed", daemon=True)
        thread.start()
        threads.append(thread)

    def _attacks(self) -> None:
        rng = random.Random(self.seed)
        waves = self.waves()
        start = last_status = time.monotonic()
        for at, name in self.plan():
            while not self.stop.is_set() and time.monotonic() < start + at:
                self.stop.wait(min(1.0, start + at - time.monotonic()))
                if time.monotonic() - last_status >= STATUS_EVERY:
                    last_status = time.monotonic()
                    self._status(last_status - start)
            if self.stop.is_set():
                return
            wave = waves[name]
            self._guarded(name, lambda: wave(rng))  # noqa: B023 - called before the loop moves on

    def _visitor(self, number: int) -> None:
        rng = random.Random(self.seed * 1000 + number)
        mine = self.benign[number::self.options.visitors]
        while not self.stop.is_set():
            index = rng.choice(mine) if mine and rng.random() < 0.6 else None
            if index is not None and self.cast.get(index, 0.0) < time.monotonic():
                session = partial(web.member_session, self.clients, rng, index, self.options.password or "",
                                  self.stop.wait)
                self._guarded(None, session)
            else:
                self._guarded(None, lambda: web.shopper_visit(self.clients, rng))
            self.stop.wait(rng.uniform(0.2, 1.0))

    def _guarded(self, wave: str | None, action: Callable[[], int]) -> None:
        try:
            self.counters.add(action(), wave)
            if wave:
                log.info("wave %s done", wave)
        except httpx.HTTPError as exc:  # a service may be restarting: keep the demo going
            self.counters.errors += 1
            log.debug("request failed: %s", type(exc).__name__)
        except Exception:
            self.counters.errors += 1
            log.exception("demo step %s failed", wave or "visit")

    def _status(self, elapsed: float) -> None:
        c = self.counters
        sent = self.feed.sent if self.feed else 0
        log.info("demo: %d app requests in %.0f s (%.1f/s), %d scenario events sent, waves %s, %d errors",
                 c.requests, elapsed, c.requests / max(elapsed, 1.0), sent, c.waves, c.errors)


def member_numbers(events: list[dict[str, Any]]) -> set[int]:
    """The seeded distributor numbers (D000042 -> 42) whose accounts these events use."""
    ids = {str((e.get("user") or {}).get("id") or "") for e in events}
    return {int(uid[1:]) for uid in ids if len(uid) == 7 and uid[0] == "D" and uid[1:].isdigit()}


def run_demo(app_url: str, stop: threading.Event, seed: int = 7, attack_every: float = 30.0,
             collector_url: str | None = None, ingest_token: str | None = None,
             members: int = 0, password: str | None = None, run: int = 0) -> None:
    """Send demo traffic to `app_url` (and scenarios to `collector_url`) until `stop` is set."""
    options = DemoOptions(seed=seed, run=run, members=members, password=password, collector_url=collector_url,
                          ingest_token=ingest_token, attack_every=attack_every)
    Demo(app_url, stop, options).run()
