"""Application-layer floods: one heavy client, a residential botnet, and a login flood."""

from __future__ import annotations

import random

from simulator.alt.emit import Who, Writer
from simulator.alt.net import Net
from simulator.alt.people import AGENTS
from simulator.attacks import Truth

FAMILY = "traffic_flood"
HEAVY = ("/shop", "/shop/promo", "/genealogy", "/", "/enroll")


def one_ip(w: Writer, rng: random.Random, net: Net, ts: float, scale: float = 1.0) -> Truth:
    """One rented server hammering expensive pages for a few minutes (40–150 requests/s)."""
    who = Who(net.dc_ip(rng), rng.choice(("Go-http-client/2.0", AGENTS[3].format(a=1))))
    rate, span = rng.uniform(40, 150), rng.uniform(90, 300) * scale
    at = ts
    while at < ts + span:
        at += rng.expovariate(rate)
        w.hit(
            at,
            who,
            "GET",
            rng.choice(HEAVY),
            rng.choice((200, 200, 200, 503)),
            query=f"page={rng.randint(1, 9999)}" if rng.random() < 0.5 else None,
        )
    return Truth("", FAMILY, "single_ip_flood", ["service", who.ip], ts, at, {"rate": round(rate)})


def botnet(w: Writer, rng: random.Random, net: Net, ts: float, scale: float = 1.0) -> Truth:
    """Thousands of home routers, each sending a handful of cache-busting requests (HTTP/2 style burst)."""
    bots = [
        Who(net.home_ip(rng, net.country_of_choice(rng)), rng.choice(AGENTS).format(a=rng.randint(1, 6)))
        for _ in range(int(rng.randint(1500, 4000) * scale))
    ]
    span = rng.uniform(120, 420)
    end = ts
    for bot in bots:
        at = ts + rng.uniform(0, span)
        for _ in range(rng.randint(3, 12)):
            at += rng.uniform(0.2, 3)
            w.hit(at, bot, "GET", "/shop", rng.choice((200, 200, 503)), query=f"v={w.token(32)}")
            end = max(end, at)
    return Truth("", FAMILY, "residential_botnet_flood", ["service"], ts, end, {"bots": len(bots)})


def login_flood(w: Writer, rng: random.Random, net: Net, ts: float, scale: float = 1.0) -> Truth:
    """Hundreds of addresses posting the login form as fast as they can (availability, not guessing)."""
    ips = [
        net.dc_ip(rng) if rng.random() < 0.5 else net.home_ip(rng, net.country_of_choice(rng))
        for _ in range(rng.randint(100, 400))
    ]
    rate, span = rng.uniform(30, 120), rng.uniform(60, 180) * scale
    at, used = ts, set()
    while at < ts + span:
        at += rng.expovariate(rate)
        who = Who(rng.choice(ips), "python-httpx/0.27.2")
        used.add(who.ip)
        w.login(at, who, f"user{rng.getrandbits(20)}", None, False, reason="unknown_user")
    return Truth("", FAMILY, "login_flood", ["service", *sorted(used)], ts, at, {"rate": round(rate)})


def expensive_pages(w: Writer, rng: random.Random, net: Net, ts: float, scale: float = 1.0) -> Truth:
    """A low-rate distributed flood on the costliest page: hundreds of IPs, one request each 5-15 s."""
    bots = [
        Who(
            net.home_ip(rng, net.country_of_choice(rng)) if rng.random() < 0.7 else net.dc_ip(rng),
            rng.choice(AGENTS).format(a=rng.randint(1, 6)),
        )
        for _ in range(int(rng.randint(300, 700) * scale))
    ]
    span = rng.uniform(600, 1200)
    end = ts
    for bot in bots:
        at = ts + rng.uniform(0, 15)
        while at < ts + span:
            w.hit(
                at,
                bot,
                "GET",
                "/genealogy",
                rng.choice((200, 200, 504)),
                query=f"depth=99&view=tree&r={w.token(24)}",
            )
            end = max(end, at)
            at += rng.uniform(5, 15)
    return Truth("", FAMILY, "distributed_expensive_page_flood", ["service"], ts, end, {"bots": len(bots)})
