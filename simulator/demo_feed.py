"""Business scenarios for the live demo, posted to the collector as they happen.

Some attacks cannot be driven through the app in a minute (a fake-account ring enrolls over hours,
a payout redirection comes from abroad). They are taken from the simulated world: one campaign at
a time is generated on a fresh emitter, its events squeezed into a short span keeping their order,
then each is stamped with the wall-clock moment it is sent and a fresh id, so the detectors (which
decide on event time) see current events in order, interleaved with the live traffic of the app.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from core.event import format_timestamp, parse_timestamp
from simulator import attacks, fraud
from simulator.events import Client, Emitter
from simulator.ipplan import build_plan
from simulator.population import BROWSERS, grow_population
from simulator.world import START

log = logging.getLogger("simulator.demo")
Campaign = Callable[..., attacks.Truth]
CAMPAIGNS: dict[str, Campaign] = {
    "fake_account_ring": fraud.fake_ring,
    "shared_bank_account": fraud.shared_bank,
    "payout_redirection": attacks.payout_redirection,
    "impossible_travel": attacks.impossible_travel,
    "session_hijack": attacks.session_hijack,
    "mfa_brute_force": attacks.mfa_brute_force,
}
# Scenarios that alert on their own; a sponsor funding orders needs the sponsor tree the detectors
# learn from enrollments, which the live demo never showed them, so it is not played.
FRAUD_KINDS = ("fake_account_ring", "shared_bank_account")
ATO_KINDS = ("impossible_travel", "payout_redirection", "session_hijack", "mfa_brute_force")
# Takeovers judged against the owner's usual devices and places: the owner logs in first.
OWNER_FIRST = frozenset({"payout_redirection"})
SPAN_SECONDS = 30.0  # a scenario plays out within this much wall-clock time, unless listed below
# Where the gaps carry meaning, a longer span keeps the alert believable: two logins 9,000 km apart
# ten minutes apart read as 54,000 km/h, squeezed into seconds as an absurd million.
SPANS = {"impossible_travel": 600.0, "session_hijack": 60.0, "payout_redirection": 90.0}


def app_username(user_id: str) -> str:
    """The login name `mlm-siem seed` gives distributor D000042: dist000042."""
    return f"dist{int(user_id[1:]):06d}"


class ScenarioSource:
    """A small seeded world whose distributors carry the ids and login names of the app's seeded ones."""

    def __init__(self, seed: int, distributors: int = 200) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.plan = build_plan(seed)
        self.people = grow_population(self.rng, self.plan, distributors)
        for person in self.people:
            person.username = app_username(person.user_id)
        self.made = 0

    def span(self, kind: str) -> float:
        return SPANS.get(kind, SPAN_SECONDS)

    def make(self, kind: str) -> list[dict[str, Any]]:
        """The events of one campaign of `kind`, in the order they happened."""
        emitter = Emitter(self.seed)
        # Scenarios are hours apart in simulated time, so their fingerprints (banks, devices) differ.
        t = START + self.made * 6 * 3600.0
        self.made += 1
        truth = CAMPAIGNS[kind](emitter, self.rng, self.plan, self.people, t)
        if kind in OWNER_FIRST:
            self._owner_login_before(emitter, truth)
        if kind == "session_hijack":
            thief_browser_differs(emitter.events, truth.entities[2])
        return sorted(emitter.events, key=lambda e: parse_timestamp(e["@timestamp"]).timestamp())

    def _owner_login_before(self, emitter: Emitter, truth: attacks.Truth) -> None:
        """The victim's own login from home shortly before the thief's: the live demo's detectors have
        no history of the account, and a takeover is judged against what its owner usually does."""
        victim = next(p for p in self.people if p.user_id == truth.entities[0])
        device = victim.devices[0]
        home = Client(self.plan.address(self.rng, victim.country), device.user_agent, device.id)
        emitter.login(truth.start - self.rng.uniform(1800, 3600), home, victim.username, victim.user_id, True)


def thief_browser_differs(events: list[dict[str, Any]], thief_ip: str) -> None:
    """A hijack replays the cookie from another browser: the world may draw the owner's own (same agent
    string), which no one could tell from the owner changing networks, so the demo swaps it."""
    agents = {e.get("user_agent", {}).get("original") for e in events if e["source"].get("ip") != thief_ip}
    other = next(a for b in BROWSERS if (a := b.format(v=99, m=1)) not in agents)
    for event in events:
        if event["source"].get("ip") == thief_ip and event.get("user_agent", {}).get("original") in agents:
            event["user_agent"] = {"original": other}


def schedule(events: list[dict[str, Any]], span: float = SPAN_SECONDS) -> list[tuple[float, dict[str, Any]]]:
    """(delay in seconds, event) pairs: the original gaps, squeezed so the whole fits in `span`."""
    if not events:
        return []
    times = [parse_timestamp(e["@timestamp"]).timestamp() for e in events]
    first, total = times[0], times[-1] - times[0]
    squeeze = min(1.0, span / total) if total > 0 else 1.0
    return [((ts - first) * squeeze, event) for ts, event in zip(times, events)]


def stamp(event: dict[str, Any], when: float, event_id: str) -> dict[str, Any]:
    """A copy of `event` happening at `when` (epoch seconds) with a new id; the original is untouched."""
    copy = orjson.loads(orjson.dumps(event))
    copy["@timestamp"] = format_timestamp(datetime.fromtimestamp(when, tz=UTC))
    copy["event"]["id"] = event_id
    return copy


@dataclass(order=True)
class _Due:
    at: float  # wall clock (time.time()) when the event happens
    order: int
    event: dict[str, Any] = field(compare=False)


class Feed:
    """Plays scheduled events to the collector in wall-clock time from a background thread."""

    def __init__(self, collector_url: str, token: str, tick: float = 0.5,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.http = httpx.Client(base_url=collector_url, timeout=10.0, transport=transport,
                                 headers={"authorization": f"Bearer {token}"})
        self.tick = tick
        self.run_tag = secrets.token_hex(4)  # ids differ on every start: the collector dedupes by id
        self.sent = 0
        self.rejected = 0
        self._queue: list[_Due] = []
        self._order = itertools.count()
        self._lock = threading.Lock()

    def play(self, events: list[dict[str, Any]], span: float = SPAN_SECONDS) -> float:
        """Queue one scenario to start now; returns the seconds it will take."""
        plan = schedule(events, span)
        start = time.time()
        with self._lock:
            for delay, event in plan:
                heapq.heappush(self._queue, _Due(start + delay, next(self._order), event))
        return plan[-1][0] if plan else 0.0

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def send_due(self, now: float | None = None) -> int:
        """Post every event whose moment has come, stamped with that moment; returns how many."""
        now = time.time() if now is None else now
        batch: list[dict[str, Any]] = []
        with self._lock:
            while self._queue and self._queue[0].at <= now:
                due = heapq.heappop(self._queue)
                batch.append(stamp(due.event, due.at, f"demo-{self.run_tag}-{due.order}"))
        if batch:
            self._post(batch)
        return len(batch)

    def _post(self, batch: list[dict[str, Any]]) -> None:
        body = b"\n".join(orjson.dumps(e) for e in batch)
        try:
            answer = self.http.post("/v1/events", content=body, headers={"content-type": "application/x-ndjson"})
        except httpx.HTTPError as exc:
            log.warning("collector unreachable, %d scenario events dropped: %s", len(batch), type(exc).__name__)
            return
        if answer.status_code != 200:
            log.warning("collector answered %d to %d scenario events", answer.status_code, len(batch))
            return
        try:
            result = answer.json()
            self.sent += int(result.get("accepted", 0))
        except (ValueError, AttributeError, TypeError):
            log.warning("collector answered something other than an ingest result: %r", answer.text[:100])
            return
        if result.get("rejected"):
            self.rejected += len(result["rejected"])
            log.warning("collector rejected scenario events: %s", str(result["rejected"][:3])[:300])

    def run(self, stop: threading.Event) -> None:
        """Send due events every tick until `stop` is set."""
        while not stop.is_set():
            try:
                self.send_due()
            except Exception:  # the feed outlives any one bad batch
                log.exception("scenario batch failed")
            stop.wait(self.tick)

    def close(self) -> None:
        self.http.close()
