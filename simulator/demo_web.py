"""Live HTTP traffic for the demo: distributors and shoppers, and attack waves, against the MLM app.

Every client has its own loopback source address (all of 127.0.0.0/8 is local on Linux), so the app
sees distinct clients without trusting any forwarded header, and its own cookie jar, so the app's
device and session cookies work as in a browser. Forms are filled like a browser does: fetch the
page, keep its CSRF token. Every wave sends a fixed, bounded number of requests.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from simulator.web import PAYLOADS, _mutate

BROWSERS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0",
)
# Real shoppers' searches, including the awkward ones a naive injection filter trips on.
SEARCHES = ("tea", "omega 3", "protein shake", "night cream", "starter kit", "O'Brien's tea", "50% off",
            "<b>glow</b> serum", "kids & family pack", "select bundle", "drop-in kit", "order by price")
MEMBER_PAGES = ("/", "/shop", "/genealogy", "/wallet", "/orders", "/crm/contacts", "/account/security")
ASSETS = ("/static/app.css",)
SCANNER = "sqlmap/1.8.2#stable (https://sqlmap.org)"
TOOL = "python-requests/2.32.3"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PRODUCT = re.compile(r'name="product_id" value="(\d+)"')
# Loopback blocks by role, so an address tells the analyst who it was: 10 members, 20 shoppers,
# 66 brute force, 77 credential stuffing, 88 injection scans, 99 floods.
MEMBERS, SHOPPERS, BRUTE, STUFFING, SCANS, FLOODS = 10, 20, 66, 77, 88, 99
TransportFactory = Callable[[str], httpx.BaseTransport]


def member_address(index: int) -> str:
    """The fixed home address of seeded distributor number `index` (1-based)."""
    return f"127.{MEMBERS}.{index // 250}.{index % 250 + 1}"


def random_address(rng: random.Random, block: int) -> str:
    return f"127.{block}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


class Clients:
    """One httpx client (own cookie jar) per loopback source address, created on demand and reused."""

    def __init__(self, app_url: str, transport: TransportFactory | None = None, timeout: float = 10.0) -> None:
        self.app_url = app_url
        self.transport = transport or (lambda address: httpx.HTTPTransport(local_address=address))
        self.timeout = timeout
        self._clients: dict[str, httpx.Client] = {}
        self._lock = threading.Lock()

    def get(self, address: str, agent: str = BROWSERS[0], cookies: bool = True) -> httpx.Client:
        """The client of `address`; `cookies=False` makes one that never keeps any, like flood tools."""
        with self._lock:
            client = self._clients.get(address)
            if client is None:
                jar = CookieJar() if cookies else CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
                client = httpx.Client(base_url=self.app_url, transport=self.transport(address), cookies=jar,
                                      timeout=self.timeout, headers={"user-agent": agent})
                self._clients[address] = client
            return client

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


def csrf_token(html: str) -> str | None:
    match = CSRF.search(html)
    return match.group(1) if match else None


def login(client: httpx.Client, username: str, password: str) -> bool:
    """Sign in through the form; True when the app let us in (it redirects away from /login)."""
    page = client.get("/login")
    form = {"username": username, "password": password}
    token = csrf_token(page.text)
    if token:
        form["csrf_token"] = token
    answer = client.post("/login", data=form)
    return answer.status_code == 303


# -- benign traffic ------------------------------------------------------------------------------

def member_session(clients: Clients, rng: random.Random, index: int, password: str,
                   pause: Callable[[float], bool]) -> int:
    """A seeded distributor signs in from home, browses, sometimes buys, signs out; returns requests."""
    client = clients.get(member_address(index), BROWSERS[index % len(BROWSERS)])
    if not login(client, f"dist{index:06d}", password):
        return 2
    sent = 2
    for _ in range(rng.randint(2, 6)):
        if pause(rng.uniform(0.3, 1.5)):
            break
        if rng.random() < 0.3:
            client.get("/shop", params={"q": rng.choice(SEARCHES)}, headers={"referer": f"{clients.app_url}/shop"})
        else:
            client.get(rng.choice(MEMBER_PAGES))
        sent += 1
    if rng.random() < 0.25:
        sent += buy(client, rng)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text) or ""})
    return sent + 2


def buy(client: httpx.Client, rng: random.Random) -> int:
    """Open the shop and buy one product with the page's own form; returns requests sent."""
    page = client.get("/shop")
    products, token = PRODUCT.findall(page.text), csrf_token(page.text)
    if not products or not token:
        return 1
    client.post("/orders", data={"csrf_token": token, "product_id": rng.choice(products),
                                 "quantity": str(rng.randint(1, 3))})
    return 2


def shopper_visit(clients: Clients, rng: random.Random) -> int:
    """An anonymous shopper: the shop with its stylesheet, a search or two, rarely a mistyped login."""
    client = clients.get(random_address(rng, SHOPPERS), rng.choice(BROWSERS))
    client.get("/shop")
    for asset in ASSETS:
        client.get(asset, headers={"referer": f"{clients.app_url}/shop"})
    sent = 1 + len(ASSETS)
    for _ in range(rng.randint(1, 2)):
        client.get("/shop", params={"q": rng.choice(SEARCHES)}, headers={"referer": f"{clients.app_url}/shop"})
        sent += 1
    if rng.random() < 0.05:
        login(client, f"{rng.choice(('amy', 'sam', 'kat'))}{rng.randint(1, 99)}", "not-my-password")
        sent += 2
    return sent


# -- attack waves --------------------------------------------------------------------------------

def injection_scan(clients: Clients, rng: random.Random, per_class: int = 4) -> int:
    """A scanner walks the shop search with payloads of every class; returns requests sent."""
    client = clients.get(random_address(rng, SCANS), SCANNER)
    sent = 0
    for cls in sorted(PAYLOADS):
        for payload in PAYLOADS[cls][:per_class]:
            # Already encoded the way the tool puts it on the wire (percent, double, plus).
            client.get(f"/shop?q={_mutate(rng, payload)}")
            sent += 1
    return sent


def brute_force(clients: Clients, rng: random.Random, victim: str, tries: int = 12) -> int:
    """One address guesses one real account's password (the app locks it after a few)."""
    client = clients.get(random_address(rng, BRUTE), TOOL)
    for _ in range(tries):
        login(client, victim, f"Winter{rng.randint(1900, 2026)}!")
    return 2 * tries


def credential_stuffing(clients: Clients, rng: random.Random, known: list[str], attempts: int = 60,
                        addresses: int = 40, workers: int = 4, stop: threading.Event | None = None) -> int:
    """A combo list through a proxy pool: many addresses, a few tries each, mostly unknown names."""
    pool = [random_address(rng, STUFFING) for _ in range(addresses)]
    tries = [(rng.choice(pool), rng.choice(known) if known and rng.random() < 0.3
              else f"{rng.choice('jmk')}{rng.getrandbits(24):x}@mail.example") for _ in range(attempts)]

    def attempt(item: tuple[str, str]) -> None:
        address, name = item
        if stop is not None and stop.is_set():
            return  # the demo is stopping: skip the rest of the list
        login(clients.get(address, rng.choice(BROWSERS)), name, "Summer2026!")

    with ThreadPoolExecutor(workers) as executor:
        list(executor.map(attempt, tries))
    return 2 * attempts


def flood(clients: Clients, rng: random.Random, requests: int = 1000, workers: int = 4,
          stop: threading.Event | None = None) -> int:
    """One address hammers one page as fast as it can (wrk-style): no cookies, no referrer, no assets."""
    client = clients.get(random_address(rng, FLOODS), "wrk/4.2.0", cookies=False)
    path = rng.choice(("/shop", "/"))

    def hit(_: int) -> int:
        if stop is not None and stop.is_set():
            return 0  # the demo is stopping
        client.get(path)
        return 1

    with ThreadPoolExecutor(workers) as executor:
        return sum(executor.map(hit, range(requests)))
