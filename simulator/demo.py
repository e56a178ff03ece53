"""Demo traffic for `mlm-siem up`: live visitors and attacks against the running MLM app.

Web traffic goes to the app over HTTP from many loopback source addresses (all of 127.0.0.0/8 is
local on Linux), so the app sees distinct clients without trusting any forwarded header. Business
scenarios the app cannot be driven into quickly (fake-account rings, payout redirection from
abroad, order cycling) are taken from a small simulated world, re-timed to now and posted to the
collector with the demo's own ingest token. Everything is seeded and every loop is bounded.
"""

from __future__ import annotations

import itertools
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, Callable

import httpx
import orjson

from core.event import format_timestamp, parse_timestamp
from simulator.web import PAYLOADS, _mutate

SEARCHES = ("vitamin", "protein shake", "O'Brien's tea", "<b>bold</b> serum", "select bundle", "drop-in kit")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Safari/537.36"
TOOL = "python-requests/2.32.3"


class Clients:
    """One httpx client per loopback source address, created on demand and reused."""

    def __init__(self, app_url: str) -> None:
        self.app_url = app_url
        self._clients: dict[str, httpx.Client] = {}
        self._lock = threading.Lock()

    def get(self, address: str, agent: str = BROWSER) -> httpx.Client:
        with self._lock:
            client = self._clients.get(address)
            if client is None:
                transport = httpx.HTTPTransport(local_address=address)
                client = httpx.Client(base_url=self.app_url, transport=transport, timeout=5.0,
                                      headers={"user-agent": agent})
                self._clients[address] = client
            return client

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


def login(client: httpx.Client, username: str, password: str) -> None:
    """Fill in the login form as a browser (or a careful tool) would: fetch it, keep its CSRF token."""
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    form = {"username": username, "password": password}
    if match:
        form["csrf_token"] = match.group(1)
    client.post("/login", data=form)


def _address(rng: random.Random, block: int) -> str:
    return f"127.{block}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def benign_visit(clients: Clients, rng: random.Random) -> None:
    client = clients.get(_address(rng, 10))
    client.get("/")
    client.get("/shop", params={"q": rng.choice(SEARCHES)})
    if rng.random() < 0.1:
        login(client, f"visitor{rng.randint(1, 400)}", "typo")


def brute_force(clients: Clients, rng: random.Random) -> None:
    client = clients.get(_address(rng, 66), TOOL)
    victim = f"distributor{rng.randint(1, 50)}"
    for _ in range(14):
        login(client, victim, f"guess{rng.randint(0, 10**6)}")


def credential_stuffing(clients: Clients, rng: random.Random) -> None:
    for _ in range(80):
        client = clients.get(_address(rng, 77))
        login(client, f"{rng.getrandbits(30):x}@mail.com", "Summer2026!")


def injection_scan(clients: Clients, rng: random.Random) -> None:
    client = clients.get(_address(rng, 88), "sqlmap/1.8.2#stable (https://sqlmap.org)")
    for cls in sorted(PAYLOADS):
        for payload in PAYLOADS[cls][:4]:
            client.get("/shop", params={"q": _mutate(rng, payload)})


def flood(clients: Clients, rng: random.Random, stop: threading.Event) -> None:
    client = clients.get(_address(rng, 99), "wrk/4.2")
    deadline = time.monotonic() + 12
    with ThreadPoolExecutor(4) as pool:
        while time.monotonic() < deadline and not stop.is_set():
            list(pool.map(lambda _: client.get("/"), range(40)))


def business_feed(collector_url: str, token: str, seed: int) -> Callable[[random.Random], None]:
    """Post one business scenario at a time from a small world, re-timed to start now."""
    from simulator.world import generate

    world = generate(seed, distributors=200, baseline_days=0, test_days=1)
    wanted = ("fake_account_ring", "payout_redirection", "impossible_travel", "shared_bank_account",
              "sponsor_funded_orders", "commission_spike", "session_hijack")
    scenarios = itertools.cycle([t for t in world.truth if t.kind in wanted])
    http = httpx.Client(base_url=collector_url, timeout=10.0, headers={"authorization": f"Bearer {token}"})

    def post_next(rng: random.Random) -> None:
        truth = next(scenarios)
        events = [e for e in world.events
                  if truth.start - 600 <= parse_timestamp(e["@timestamp"]).timestamp() <= truth.end + 1]
        events = _retime(events, truth.start, rng)
        body = b"\n".join(orjson.dumps(e) for e in events)
        http.post("/v1/events", content=body, headers={"content-type": "application/x-ndjson"})

    return post_next


def _retime(events: list[dict[str, Any]], start: float, rng: random.Random) -> list[dict[str, Any]]:
    """Shift to now and squeeze long scenarios into a minute, keeping their order; fresh ids."""
    now = time.time()
    tag = rng.getrandbits(32)
    span = max(1.0, max(parse_timestamp(e["@timestamp"]).timestamp() for e in events) - start + 600)
    squeeze = min(1.0, 60.0 / span)
    out = []
    for index, event in enumerate(events):
        ts = now + (parse_timestamp(event["@timestamp"]).timestamp() - start + 600) * squeeze - 60
        copy = orjson.loads(orjson.dumps(event))
        copy["@timestamp"] = format_timestamp(datetime.fromtimestamp(ts, tz=timezone.utc))
        copy["event"]["id"] = f"demo-{tag:08x}-{index}"
        out.append(copy)
    return out


def run_demo(app_url: str, stop: threading.Event, seed: int = 7, attack_every: float = 15.0,
             collector_url: str | None = None, ingest_token: str | None = None) -> None:
    """Benign visits continuously; an attack wave every `attack_every` seconds, rotating kinds."""
    rng = random.Random(seed)
    clients = Clients(app_url)
    waves: list[Callable[[random.Random], None]] = [
        lambda r: brute_force(clients, r), lambda r: injection_scan(clients, r),
        lambda r: credential_stuffing(clients, r), lambda r: flood(clients, r, stop),
    ]
    if collector_url and ingest_token:
        try:
            waves.insert(1, business_feed(collector_url, ingest_token, seed))
        except Exception:  # the demo must run even if the world cannot be built
            pass
    wave = itertools.cycle(waves)
    next_attack = time.monotonic() + 3
    try:
        while not stop.is_set():
            try:
                if time.monotonic() >= next_attack:
                    next(wave)(rng)
                    next_attack = time.monotonic() + attack_every
                benign_visit(clients, rng)
            except httpx.HTTPError:
                pass  # a service may be restarting; keep the demo going
            stop.wait(rng.uniform(0.1, 0.5))
    finally:
        clients.close()
