"""Application-layer floods: one heavy client, a residential botnet, and a login flood."""

from __future__ import annotations

import random

from simulator.alt.emit import Who, Writer
from simulator.alt.net import Net
from simulator.alt.people import AGENTS, Member
from simulator.attacks import Truth

FAMILY = "traffic_flood"
HEAVY = ("/shop", "/shop/promo", "/genealogy", "/", "/enroll")


def one_ip(
    w: Writer, rng: random.Random, net: Net, ts: float, scale: float = 1.0, slow: bool = False
) -> Truth:
    """One rented server hammering expensive pages: 40-150 requests/s for minutes, or (slow) 3-10/s
    for 20-60 minutes, under per-second limits but far above any person's pace."""
    who = Who(net.dc_ip(rng), rng.choice(("Go-http-client/2.0", AGENTS[3].format(a=1))))
    rate, span = (
        (rng.uniform(3, 10), rng.uniform(1200, 3600))
        if slow
        else (rng.uniform(40, 150), rng.uniform(90, 300))
    )
    span *= scale
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
    kind = "slow_single_ip_flood" if slow else "single_ip_flood"
    return Truth("", FAMILY, kind, ["service", who.ip], ts, at, {"rate": round(rate)})


def botnet(w: Writer, rng: random.Random, net: Net, ts: float, scale: float = 1.0) -> Truth:
    """Thousands of home routers, each sending a handful of cache-busting requests (HTTP/2 style burst)."""
    bots = [
        Who(net.home_ip(rng, net.country_of_choice(rng)), rng.choice(AGENTS).format(a=rng.randint(1, 6)))
        for _ in range(int(rng.randint(800, 5000) * scale))
    ]
    span = rng.uniform(120, 600)
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


def genealogy_scraper(
    w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float, scale: float = 1.0
) -> Truth:
    """A cross-recruiter signed in as a member walks the genealogy API id by id from rented servers:
    2-10 requests/s for up to an hour, mostly refused (not their downline) or unknown ids."""
    member = rng.choice([m for m in members if m.archetype in ("builder", "leader")] or members)
    session = w.token()
    ips = [net.dc_ip(rng) for _ in range(rng.randint(1, 3))]
    agent = rng.choice(("python-requests/2.32.3", AGENTS[4].format(a=3)))
    rate = rng.uniform(2, 10)
    span = min(rng.uniform(900, 3600), 5000 / rate) * scale
    at, target = ts, 100_000 + rng.randint(0, 50)
    mine = set(member.downline)
    while at < ts + span:
        at += 0.02 + rng.expovariate(rate)  # one request at a time: the answer comes before the next
        target += 1
        who = Who(rng.choice(ips), agent, None, member.id, member.username, session)
        path = f"/api/genealogy/{target}"
        if str(target) in mine:
            w.hit(at, who, "GET", path, 200, size=rng.randint(800, 3000))
        elif (target - 100_000) % 7:
            w.hit(at, who, "GET", path, 404, size=120)
        else:
            w.event(
                at, "mlm.audit", "access_denied", who, "failure", url__path=path, mlm__target__id=str(target)
            )
            w.hit(at + 0.01, who, "GET", path, 403, size=90)
    return Truth(
        "", FAMILY, "genealogy_api_scraper", [*ips, member.id, session], ts, at, {"rate": round(rate, 1)}
    )
