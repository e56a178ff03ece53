"""The demo's HTTP traffic against a recording stub app over real loopback sockets, and against the real app."""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote_plus

import pytest
import uvicorn
from builders import free_port
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from simulator import demo_web as web
from simulator.demo import Demo, DemoOptions
from simulator.web import PAYLOADS

PASSWORD = "correct horse"


@dataclass
class Seen:
    address: str
    method: str
    path: str
    query: str
    agent: str
    cookies: dict[str, str]
    form: dict[str, str]


def stub_app(seen: list[Seen]) -> FastAPI:
    """Pages shaped like the MLM app's: a CSRF login form, a shop with a buy form, cookies."""
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next):  # type: ignore[no-untyped-def]
        body = (await request.body()).decode()
        seen.append(Seen(request.client.host, request.method, request.url.path, request.url.query,
                         request.headers.get("user-agent", ""), dict(request.cookies),
                         {k: v[0] for k, v in parse_qs(body).items()}))
        response = await call_next(request)
        if "device" not in request.cookies:
            response.set_cookie("device", secrets.token_hex(4))
        return response

    form = '<form><input type="hidden" name="csrf_token" value="tok-{}"></form>'

    @app.get("/login")
    def login_page() -> HTMLResponse:
        return HTMLResponse(form.format("login"))

    @app.post("/login")
    def login(username: str = Form(""), password: str = Form(""), csrf_token: str = Form("")) -> Response:
        if csrf_token != "tok-login":
            return Response("csrf", 403)
        if username.startswith("dist") and password == PASSWORD:
            response = RedirectResponse("/", 303)
            response.set_cookie("session", username)
            return response
        return Response("no", 401)

    @app.get("/shop")
    def shop() -> HTMLResponse:
        return HTMLResponse(form.format("shop") + '<input type="hidden" name="product_id" value="3">')

    @app.get("/")
    def home() -> HTMLResponse:
        return HTMLResponse(form.format("home"))

    @app.post("/v1/events")
    async def collect(request: Request) -> dict:
        return {"accepted": len((await request.body()).splitlines()), "rejected": []}

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    def anything(path: str) -> Response:
        return Response("ok")

    return app


@pytest.fixture(scope="module")
def stub() -> Iterator[tuple[str, list[Seen]]]:
    seen: list[Seen] = []
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(stub_app(seen), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", seen
    server.should_exit = True
    thread.join(5)


@pytest.fixture
def traffic(stub) -> Iterator[tuple[web.Clients, list[Seen]]]:
    url, seen = stub
    seen.clear()
    clients = web.Clients(url)
    yield clients, seen
    clients.close()


def test_injection_scan_probes_the_shop_search_with_every_class(traffic):
    clients, seen = traffic
    assert web.injection_scan(clients, random.Random(1), per_class=3) == 3 * len(PAYLOADS) == len(seen)
    assert len({s.address for s in seen}) == 1 and seen[0].address.startswith(f"127.{web.SCANS}.")
    assert all(s.path == "/shop" and s.query.startswith("q=") and "sqlmap" in s.agent for s in seen)
    sent = {unquote_plus(unquote_plus(s.query[2:])).lower() for s in seen}
    for cls, payloads in PAYLOADS.items():
        # Case and comment mutations aside, each class's payloads went out.
        assert any(p.lower().replace(" ", "") in v.replace("/**/", "").replace(" ", "")
                   for p in payloads[:3] for v in sent), cls


def test_brute_force_fills_the_login_form_like_a_browser_from_one_address(traffic):
    clients, seen = traffic
    assert web.brute_force(clients, random.Random(2), "dist000190", tries=6) == 12
    posts = [s for s in seen if s.method == "POST"]
    assert len(posts) == 6 and len(seen) == 12
    assert all(p.form["username"] == "dist000190" and p.form["csrf_token"] == "tok-login" for p in posts)
    assert {s.address for s in seen} == {seen[0].address} and seen[0].address.startswith(f"127.{web.BRUTE}.")


def test_credential_stuffing_spreads_over_many_addresses(traffic):
    clients, seen = traffic
    victims = [f"dist{i:06d}" for i in range(161, 201)]
    assert web.credential_stuffing(clients, random.Random(3), victims, attempts=40, addresses=25) == 80
    posts = [s for s in seen if s.method == "POST"]
    addresses = {p.address for p in posts}
    assert len(posts) == 40 and 15 <= len(addresses) <= 25
    assert all(a.startswith(f"127.{web.STUFFING}.") for a in addresses)
    unknown = [p for p in posts if p.form["username"] not in victims]
    assert len(unknown) > len(posts) / 2  # a combo list: mostly names the shop never had


def test_flood_hammers_one_page_from_one_address_without_cookies(traffic):
    clients, seen = traffic
    assert web.flood(clients, random.Random(4), requests=60) == 60 == len(seen)
    assert len({(s.address, s.path) for s in seen}) == 1 and seen[0].address.startswith(f"127.{web.FLOODS}.")
    assert all(not s.cookies for s in seen)  # the stub set a device cookie on every answer
    stopped = threading.Event()
    stopped.set()
    assert web.flood(clients, random.Random(4), requests=60, stop=stopped) == 0 and len(seen) == 60


def test_member_session_signs_in_from_home_browses_and_signs_out(traffic):
    clients, seen = traffic
    rng = random.Random(5)
    sent = web.member_session(clients, rng, 42, PASSWORD, lambda seconds: False)
    assert sent == len(seen) >= 6
    assert {s.address for s in seen} == {web.member_address(42)}
    login = next(s for s in seen if s.method == "POST" and s.path == "/login")
    assert login.form == {"username": "dist000042", "password": PASSWORD, "csrf_token": "tok-login"}
    after = seen[seen.index(login) + 1:]
    assert after and all(s.cookies.get("session") == "dist000042" for s in after)
    assert after[-1].method == "POST" and after[-1].path == "/logout" and after[-1].form["csrf_token"] == "tok-home"
    assert web.member_address(42) != web.member_address(43)


def test_a_wrong_password_ends_the_session_attempt(traffic):
    clients, seen = traffic
    assert web.member_session(clients, random.Random(6), 7, "wrong", lambda seconds: False) == 2 == len(seen)


def test_buy_uses_the_shop_page_form(traffic):
    clients, seen = traffic
    client = clients.get(web.member_address(9))
    assert web.buy(client, random.Random(7)) == 2
    order = seen[-1]
    assert order.path == "/orders" and order.form["product_id"] == "3" and order.form["csrf_token"] == "tok-shop"


def test_shopper_fetches_the_shop_with_its_stylesheet(traffic):
    clients, seen = traffic
    sent = web.shopper_visit(clients, random.Random(8))
    assert sent == len(seen) and {s.path for s in seen} >= {"/shop", "/static/app.css"}
    assert seen[0].address.startswith(f"127.{web.SHOPPERS}.")


def test_the_demo_runs_its_strands_and_stops_promptly(stub):
    url, seen = stub
    seen.clear()
    stop = threading.Event()
    demo = Demo(url, stop, DemoOptions(members=60, password=PASSWORD, collector_url=url, ingest_token="t0k"))
    thread = threading.Thread(target=demo.run)
    thread.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (demo.feed and demo.feed.sent and "fraud_scenario" in demo.counters.waves):
        time.sleep(0.2)
    stop.set()
    stopped = time.monotonic()
    thread.join(15)
    assert not thread.is_alive() and time.monotonic() - stopped < 10
    assert {"injection_scan", "fraud_scenario"} <= set(demo.counters.waves)
    assert demo.feed is not None and demo.feed.sent > 0 and demo.counters.errors == 0
    members = {s.address for s in seen if s.address.startswith(f"127.{web.MEMBERS}.")}
    assert members and all(s.path != "/v1/events" or s.address == "127.0.0.1" for s in seen)
