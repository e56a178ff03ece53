"""Benign member visits: where they connect from, how they sign in, what they browse and buy."""

from __future__ import annotations

import json
import random
from urllib.parse import quote_plus

from simulator.alt.business import Book, place_order
from simulator.alt.emit import Who, Writer
from simulator.alt.net import Net
from simulator.alt.people import ARCHETYPES, OFFSET, Member, keyed

DAY = 86_400.0
SITE = "https://shop.example.com"
PAGES = (
    "/",
    "/shop",
    "/genealogy",
    "/wallet",
    "/orders",
    "/commissions",
    "/crm/contacts",
    "/account/profile",
    "/account/security",
    "/shop/promo",
    "/enroll/link",
)
ASSETS = ("/static/css/site.css", "/static/js/app.js", "/static/img/logo.png", "/favicon.ico")
SEARCHES = (
    "collagen",
    "O'Neil starter pack",
    "kids' vitamins",
    "shake & bake bundle",
    "<3 glow kit",
    "select 3 pack",
    "drop shipping",
    "50% off",
    "order by tuesday",
    "café blend",
    '"best seller"',
    "omega-3; fish oil",
    "aloe -- gel",
    "1+1 promo",
    "tea/coffee sampler",
    "union pay",
)
NOTES = (
    "Met Sarah O'Connor at the gym; wants the 'Glow' kit",
    "call back Tue & Thu (after 5pm) -- said maybe",
    "<3 loved the samples!!",
    "Select a date for the home party; drop off catalog",
    "price > $50? asked for 1=1 coupon? no, the 1+1 deal",
    "address: 12 Rue de l'Église #4",
    "prefers WhatsApp: +55 11 9xxxx",
    'her husband said "not now"; try again in Jan',
    "script: ${name}, have you tried it?",
)


BIOS = (
    "D'Angelo & Maria <3 -- team Phoenix",
    "Mom of 3 | wellness coach | DM me!",
    "Select Team: 100% organic",
    "Ask me about the 1+1 deal; ${name} gets 10% off",
    '\u00af\\_(\u30c4)_/\u00af said "yes" to health',
    "#1 in sales (Q3) / top 5%",
    "Lead with love; drop the excuses",
    "<b>Gold</b> rank since 2021",
)


def where(rng: random.Random, net: Net, member: Member, weekday: int, abroad: str | None) -> str:
    """The address of one visit: home, mobile carrier NAT, office NAT, company VPN, or abroad."""
    if abroad:
        return net.home_ip(rng, abroad) if rng.random() < 0.6 else net.mobile_ip(rng, abroad)
    roll = rng.random()
    if member.vpn_ip and roll < 0.5:
        return member.vpn_ip
    if member.consumer_vpn and roll < 0.4:
        return net.dc_ip(rng)
    if member.office_ip and weekday < 5 and roll < 0.6:
        return member.office_ip
    if roll < 0.65:
        return member.home_ip
    return net.mobile_ip(rng, member.country)


def visit_start(rng: random.Random, member: Member, day_start: float) -> float:
    local = rng.gauss(member.hour, 2.0) % 24
    return day_start + ((local - OFFSET.get(member.country, 0)) % 24) * 3600 + rng.uniform(0, 59)


def sign_in(w: Writer, rng: random.Random, member: Member, who: Who, ts: float) -> float:
    """Password step with realistic slips, then the second factor; returns when signed in."""
    w.hit(ts, who, "GET", "/login", referrer=SITE + "/")
    ts += rng.uniform(2, 9) if member.password_manager else rng.uniform(6, 30)
    slips = (
        (1 if rng.random() < 0.03 else 0)
        if member.password_manager
        else rng.choices((0, 1, 2), weights=(88, 10, 2))[0]
    )
    if not member.password_manager and rng.random() < 0.015:
        return _forgot(w, rng, member, who, ts)
    for _ in range(slips):
        ts = w.login(ts, who, member.username, member.id, False) + rng.uniform(4, 20)
    ts = w.login(ts, who, member.username, member.id, True, mfa=member.mfa)
    who.session, who.user_id, who.user_name = w.token(), member.id, member.username
    if member.mfa:
        ts += rng.uniform(8, 40)
        if rng.random() < 0.04:  # a code typed as it rolled over
            w.event(ts, "mlm.auth", "mfa_verify", who, "failure", mlm__auth__method="totp")
            ts += rng.uniform(5, 20)
        w.event(ts, "mlm.auth", "mfa_verify", who, mlm__auth__method="totp")
        w.hit(ts + 0.03, who, "POST", "/mfa", 303, body=f"csrf_token={w.token(64)}&code=[REDACTED]")
    return ts + 1


def _forgot(w: Writer, rng: random.Random, member: Member, who: Who, ts: float) -> float:
    """Three to six wrong guesses, a password reset by email, then in (no MFA prompt right after)."""
    for _ in range(rng.randint(3, 6)):
        ts = w.login(ts, who, member.username, member.id, False) + rng.uniform(5, 40)
    named = Who(who.ip, who.agent, who.device, member.id, member.username)
    w.event(ts, "mlm.auth", "password_reset_requested", named)
    ts += rng.uniform(60, 900)
    w.event(ts, "mlm.auth", "password_reset_completed", named)
    w.marks[member.id] = "forgot_password"
    ts = w.login(ts + rng.uniform(5, 30), who, member.username, member.id, True, mfa=False)
    who.session, who.user_id, who.user_name = w.token(), member.id, member.username
    return ts + 1


def page(w: Writer, rng: random.Random, who: Who, ts: float, path: str, referrer: str | None) -> float:
    """A page and the assets the browser did not have cached."""
    query = None
    if path == "/shop" and rng.random() < 0.3:
        query = "q=" + quote_plus(rng.choice(SEARCHES))
    elif path == "/genealogy" and rng.random() < 0.3:
        query = f"depth={rng.randint(1, 6)}&view=tree"
    w.hit(ts, who, "GET", path, query=query, referrer=referrer)
    if rng.random() < 0.25:
        for asset in rng.sample(ASSETS, rng.randint(1, 3)):
            ts += rng.uniform(0.02, 0.3)
            w.hit(ts, who, "GET", asset, referrer=SITE + path, size=rng.randint(2000, 90_000))
    return ts


def browse(w: Writer, rng: random.Random, member: Member, who: Who, ts: float, pages: int) -> float:
    referrer = SITE + "/"
    for _ in range(pages):
        path = rng.choice(PAGES)
        ts = page(w, rng, who, ts + rng.lognormvariate(2.5, 1.0), path, referrer)
        referrer = SITE + path
        if path == "/account/profile" and rng.random() < 0.1:
            ts += rng.uniform(20, 90)
            w.hit(
                ts,
                who,
                "POST",
                "/distributors/me/profile",
                303,
                mime="application/json",
                body=json.dumps({"display_name": member.username, "bio": rng.choice(BIOS), "city": "Austin"}),
            )
        if path == "/crm/contacts" and rng.random() < 0.15:
            ts += rng.uniform(20, 120)
            w.hit(
                ts,
                who,
                "POST",
                f"/crm/contacts/{rng.randint(1, 5000)}/notes",
                303,
                body=f"csrf_token={w.token(64)}&note={quote_plus(rng.choice(NOTES))}",
            )
    return ts


def legit_bank_change(w: Writer, rng: random.Random, member: Member, who: Who, ts: float) -> float:
    """A member switching banks from their usual device (rare, benign)."""
    new = keyed("bank", f"{member.id}/new/{ts}")
    old = member.change_bank(ts, new)
    w.event(
        ts,
        "mlm.audit",
        "bank_account_changed",
        who,
        mlm__bank__fingerprint=new,
        mlm__bank__previous_fingerprint=old,
        mlm__target__id=member.id,
    )
    w.hit(
        ts + 0.05, who, "POST", "/account/profile/bank", 303, body=f"csrf_token={w.token(64)}&iban=[REDACTED]"
    )
    return ts + 1


def visit(
    w: Writer,
    rng: random.Random,
    net: Net,
    book: Book,
    member: Member,
    ts: float,
    weekday: int,
    abroad: str | None = None,
    order_chance: float = 0.2,
) -> float:
    """One visit: a remembered session or a fresh sign-in, some pages, maybe an order; returns its end."""
    device = member.devices[0] if rng.random() < 0.7 else rng.choice(member.devices)
    who = Who(where(rng, net, member, weekday, abroad), device.agent, device.id)
    if rng.random() < 0.45:  # "remember me": the session cookie is still valid
        who.session, who.user_id, who.user_name = (
            keyed("sess", f"{member.id}/{device.id}")[:32],
            member.id,
            member.username,
        )
    else:
        ts = sign_in(w, rng, member, who, ts)
    ts = browse(w, rng, member, who, ts, rng.randint(2, 14))
    if rng.random() < order_chance:
        ts += rng.uniform(30, 200)  # checkout takes a while; logging out comes after it
        place_order(w, rng, book, member, who, ts)
    if rng.random() < 0.002:
        ts = legit_bank_change(w, rng, member, who, ts + rng.uniform(10, 60))
    if rng.random() < 0.35:
        w.event(ts + 3, "mlm.auth", "logout", who)
        w.hit(ts + 3.02, who, "POST", "/logout", 303)
    return ts + 5


def member_day(
    w: Writer,
    rng: random.Random,
    net: Net,
    book: Book,
    member: Member,
    day: int,
    day_start: float,
    abroad: str | None = None,
) -> None:
    visits = 0 if rng.random() > member.visit_chance else 1 + (rng.random() < member.visit_chance / 3)
    for _ in range(visits):
        visit(
            w,
            rng,
            net,
            book,
            member,
            visit_start(rng, member, day_start),
            day % 7,
            abroad,
            ARCHETYPES[member.archetype][2],
        )
