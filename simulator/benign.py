"""Benign days: sessions, shopping, enrollments, commission runs, crawlers, travellers, flash crowds."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from simulator.events import Client, Emitter, fingerprint
from simulator.ipplan import IpPlan, host_in
from simulator.population import UTC_OFFSET, Person, make_device, make_person

DAY = 86_400.0
PAGES = ("/", "/shop", "/genealogy", "/wallet", "/orders", "/crm/contacts", "/account/security", "/commissions")
ASSETS = ("/static/app.css", "/static/app.js", "/static/logo.svg")
SEARCHES = ("vitamin c", "protein shake", "O'Brien's herbal tea", "<b>glow</b> serum", "select bundle",
            "drop-in starter kit", "union of flavors", "50% off", "kids & family pack", "\"organic\" coffee",
            "omega-3 1000mg", "tea; lemon", "aloe vera gel", "collagen (marine)", "order by price")


def client_for(rng: random.Random, plan: IpPlan, person: Person, day: int, trip: str | None) -> Client:
    """Where a benign session comes from: home, mobile churn, office NAT, VPN, or abroad."""
    device = person.devices[0] if rng.random() < 0.75 else rng.choice(person.devices)
    if trip:
        ip = plan.address(rng, trip)
    elif person.office_ip and day % 7 < 5 and rng.random() < 0.7:
        ip = person.office_ip
    elif person.vpn and rng.random() < 0.5:
        ip = plan.hosting_address(rng)
    elif rng.random() < 0.25:
        ip = plan.address(rng, person.country)  # mobile carrier churn
    else:
        ip = host_in(random.Random(person.user_id), person.home_network)
    return Client(ip, device.user_agent, device.id)


def session(em: Emitter, rng: random.Random, person: Person, client: Client, ts: float,
            refunds: Refunds | None = None) -> float:
    """One logged-in visit; returns the time it ended."""
    em.http(ts, client, "GET", "/login", rng=rng)
    ts += rng.uniform(3, 20)
    if rng.random() < 0.05:  # a typo first
        em.login(ts, client, person.username, person.user_id, False, "bad_password")
        ts += rng.uniform(4, 15)
    client.session_id = fingerprint("session", f"{person.user_id}-{ts}")
    em.login(ts, client, person.username, person.user_id, True, mfa=person.mfa)
    client.user_id, client.user_name = person.user_id, person.username
    if person.mfa:
        ts += rng.uniform(5, 25)
        em.emit(ts, "mlm.auth", "mfa_verify", "success", client, mlm__auth__method="totp")
    for _ in range(rng.randint(3, 12)):
        ts += rng.expovariate(1 / 20)
        ts = browse(em, rng, client, ts)
    if refunds is not None:
        ts = refunds.settle(em, person, client, ts)
    if rng.random() < 0.12:
        placed_at = ts + rng.uniform(5, 60)
        ts = order(em, rng, person, client, placed_at)
        if refunds is not None:
            refunds.consider(person, em.events[-1], placed_at)
    if rng.random() < 0.6:
        em.http(ts + 2, client, "POST", "/logout", 303, rng=rng)
        em.emit(ts + 2.01, "mlm.auth", "logout", "success", client)
    return ts


def browse(em: Emitter, rng: random.Random, client: Client, ts: float) -> float:
    if rng.random() < 0.3:
        query = "q=" + quote_plus(rng.choice(SEARCHES))
        em.http(ts, client, "GET", "/shop", query=query, referrer="/shop", rng=rng)
    else:
        em.http(ts, client, "GET", rng.choice(PAGES), rng=rng)
    if rng.random() < 0.4:
        for asset in ASSETS:
            em.http(ts + 0.05, client, "GET", asset, rng=rng)
    return ts


def order(em: Emitter, rng: random.Random, person: Person, client: Client, ts: float,
          payment: str | None = None, amount: float | None = None) -> float:
    amount = amount if amount is not None else round(rng.uniform(25, 260), 2)
    order_id = f"O{em.count:09d}"
    em.http(ts, client, "POST", "/orders", 303, body=f"product=P{rng.randint(1, 40)}&qty=1", rng=rng)
    em.emit(ts + 0.02, "mlm.commerce", "order_placed", "success", client, mlm__distributor__id=person.user_id,
            mlm__order__id=order_id, mlm__order__amount=amount, mlm__order__currency="USD",
            mlm__order__pv=round(amount * 0.8, 1), mlm__order__bv=round(amount * 0.7, 1),
            mlm__order__items=rng.randint(1, 4), mlm__payment__fingerprint=payment or person.payment)
    return ts + 1


def person_day(em: Emitter, rng: random.Random, plan: IpPlan, person: Person, day: int,
               day_start: float, refunds: Refunds | None = None) -> None:
    """A distributor's ordinary day: maybe a session or two, rare account upkeep."""
    trip = None
    if person.traveller and day % 9 in (3, 4):
        trip = rng.choice([c for c in sorted(plan.by_country) if c != person.country])
    for _ in range(1 if rng.random() < 0.85 else 2):
        if rng.random() > person.activity:
            continue
        local = min(23.9, max(0.0, rng.gauss(person.active_hour, 1.5)))
        ts = day_start + ((local - UTC_OFFSET.get(person.country, 0)) % 24) * 3600
        client = client_for(rng, plan, person, day, trip)
        end = session(em, rng, person, client, ts, refunds)
        if rng.random() < 0.002:
            new = fingerprint("bank", f"{person.user_id}-{day}")
            em.emit(end + 5, "mlm.audit", "bank_account_changed", "success", client,
                    mlm__bank__fingerprint=new, mlm__bank__previous_fingerprint=person.bank)
            person.bank = new
        if day % 7 == 4 and rng.random() < 0.15:
            em.emit(end + 8, "mlm.commerce", "payout_requested", "success", client,
                    mlm__distributor__id=person.user_id, mlm__payout__id=f"PO{em.count:08d}",
                    mlm__payout__amount=round(rng.uniform(20, 400), 2), mlm__bank__fingerprint=person.bank)


# Honest refunds: a money-back guarantee, damaged goods, a change of mind. A few members return
# nearly everything they buy. Decisions use their own seeded generator, not the world's: drawing
# from the world's would reshuffle every later draw, and the rest of the world must stay the same.
REFUND_RATE = 0.02
RETURNER_SHARE, RETURNER_RATE = 0.015, 0.9
REFUND_WINDOW = 30 * DAY  # the app refuses later refunds (BusinessConfig.refund_window_days)


def returner(seed: int, person: Person) -> bool:
    """A customer who sends back nearly every order (stable per member and world)."""
    return random.Random(f"returner:{seed}:{person.user_id}").random() < RETURNER_SHARE


@dataclass
class Refunds:
    """Orders the buyers mean to send back: each is refunded at their first visit on or after the due time."""

    seed: int
    due: dict[str, list[tuple[float, float, str, float]]] = field(default_factory=dict)  # (due, placed, id, amount)

    def consider(self, person: Person, placed: dict[str, Any], ts: float) -> None:
        """Maybe schedule the refund of the order just placed (its event, at `ts`), 1 to 20 days later."""
        info = placed["mlm"]["order"]
        rng = random.Random(f"refund:{self.seed}:{info['id']}")
        if rng.random() < (RETURNER_RATE if returner(self.seed, person) else REFUND_RATE):
            delay = min(20.0, 1 + rng.expovariate(1 / 4)) * DAY  # most come back within the first week
            self.due.setdefault(person.user_id, []).append((ts + delay, ts, info["id"], info["amount"]))

    def settle(self, em: Emitter, person: Person, client: Client, ts: float) -> float:
        """Refund, during this visit, each of their orders now due, as the app does (POST, then its event)."""
        pending = self.due.get(person.user_id, [])
        for item in [p for p in pending if p[0] <= ts]:
            pending.remove(item)
            _, placed, order_id, amount = item
            if ts - placed > REFUND_WINDOW:
                continue  # the guarantee ran out before they came back
            em.http(ts + 4, client, "GET", f"/orders/{order_id}")
            em.http(ts + 11, client, "POST", f"/orders/{order_id}/refund", 303)
            em.emit(ts + 11.02, "mlm.commerce", "order_refunded", "success", client, mlm__distributor__id=person.user_id,
                    mlm__order__id=order_id, mlm__order__amount=amount, mlm__order__currency="USD")
            em.http(ts + 11.5, client, "GET", f"/orders/{order_id}")
            ts += 12
        return ts


def enroll(em: Emitter, rng: random.Random, person: Person, sponsor: Person, client: Client, ts: float) -> None:
    em.http(ts, client, "GET", "/enroll", query=f"sponsor={sponsor.username}", rng=rng)
    em.http(ts + rng.uniform(60, 300), client, "POST", "/enroll", 303,
            body=f"sponsor={sponsor.username}&email=%5BREDACTED%5D&plan={person.plan}", rng=rng)
    em.emit(ts + 301, "mlm.commerce", "distributor_enrolled", "success",
            Client(client.ip, client.user_agent, client.device_id, person.user_id, person.username),
            mlm__distributor__id=person.user_id, mlm__sponsor__id=sponsor.user_id,
            mlm__placement__parent_id=sponsor.user_id, mlm__placement__position=rng.choice(("left", "right")),
            mlm__plan=person.plan, mlm__email__domain=person.email_domain,
            mlm__email__fingerprint=fingerprint("email", person.username), mlm__bank__fingerprint=person.bank)


def new_members(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], day_start: float,
                count: int) -> None:
    """Ordinary recruiting: new distributors join under existing sponsors, each from their own home."""
    for _ in range(count):
        sponsor = rng.choice(people)
        person = make_person(rng, plan, len(people) + 1, sponsor)
        sponsor.downline.append(person.user_id)
        people.append(person)
        client = Client(plan.address(rng, person.country), person.devices[0].user_agent, person.devices[0].id)
        enroll(em, rng, person, sponsor, client, day_start + rng.uniform(8, 22) * 3600)


def commission_run(em: Emitter, rng: random.Random, people: list[Person], ts: float, period: str) -> None:
    """The weekly run: one commission per earning distributor, stable per person."""
    kinds = {"binary": "binary_pairing", "unilevel": "unilevel_level", "matrix": "matrix_level",
             "board": "board_cycle"}
    for person in people:
        if not person.downline:
            continue
        base = 15 + 12 * len(person.downline) * random.Random(person.user_id).uniform(0.6, 1.4)
        amount = round(base * rng.uniform(0.8, 1.25), 2)
        em.emit(ts, "mlm.commerce", "commission_calculated", "success", None,
                user__id=person.user_id, mlm__distributor__id=person.user_id, mlm__commission__period=period,
                mlm__commission__amount=amount, mlm__commission__type=kinds[person.plan],
                mlm__commission__source_ids=person.downline[:50])
        ts += 0.001


def crawler(em: Emitter, rng: random.Random, plan: IpPlan, start: float) -> None:
    """A search-engine crawler: steady, polite, many pages, no session."""
    client = Client(plan.hosting_address(rng), "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    ts = start
    for page in range(rng.randint(200, 600)):
        em.http(ts, client, "GET", "/shop", query=f"page={page % 40}&sort=name", rng=rng)
        ts += rng.uniform(1.0, 3.0)


def visitors(em: Emitter, rng: random.Random, plan: IpPlan, day_start: float, count: int) -> None:
    """Anonymous shoppers and the occasional failed login with a typed-wrong or unknown name."""
    for index in range(count):
        device = make_device(rng, f"v{int(day_start)}-{index}")
        client = Client(plan.address(rng, rng.choice(sorted(plan.by_country))), device.user_agent, device.id)
        ts = day_start + rng.uniform(0, DAY)
        for _ in range(rng.randint(1, 6)):
            ts = browse(em, rng, client, ts + rng.expovariate(1 / 30))
        if rng.random() < 0.03:
            em.login(ts + 10, client, f"{rng.choice(('amy', 'sam', 'kat'))}{rng.randint(1, 99)}", None, False,
                     "unknown_user")


def flash_crowd(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], start: float) -> None:
    """A promo e-mail lands: hundreds of real members arrive within minutes, log in and shop."""
    crowd = rng.sample(people, min(len(people), rng.randint(250, 450)))
    for person in crowd:
        client = client_for(rng, plan, person, 0, None)
        ts = start + rng.expovariate(1 / 240)
        em.http(ts, client, "GET", "/shop/promo", referrer="https://mail.example.com/", rng=rng)
        for asset in ASSETS:
            em.http(ts + 0.1, client, "GET", asset, rng=rng)
        session(em, rng, person, client, ts + rng.uniform(5, 40))


def enrollment_meeting(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], start: float) -> None:
    """A hotel-ballroom recruiting event: many sign-ups under one sponsor from the venue's Wi-Fi."""
    sponsor = rng.choice([p for p in people if p.downline] or people)
    venue = plan.address(rng, sponsor.country)
    for index in range(rng.randint(10, 18)):
        person = make_person(rng, plan, len(people) + 1, sponsor, sponsor.country)
        sponsor.downline.append(person.user_id)
        people.append(person)
        device = person.devices[0]
        enroll(em, rng, person, sponsor, Client(venue, device.user_agent, device.id),
               start + index * rng.uniform(120, 420))


# What every member does on an ordinary day; anyone who did anything else in a window has a story in it.
ORDINARY = frozenset({"http_request", "login", "mfa_verify", "logout", "order_placed", "order_refunded",
                      "payout_requested"})


def _cast(em: Emitter, people: list[Person]) -> list[Person]:
    """Members free for a benign story: enrolled before this window and in no other story in it."""
    card_of = {p.payment: p.user_id for p in people}
    bank_holders: dict[str, set[str]] = {}
    for person in people:
        bank_holders.setdefault(person.bank, set()).add(person.user_id)
    busy: set[str | None] = set()
    for doc in em.events:
        event, mlm = doc["event"], doc.get("mlm", {})
        named = {doc.get("user", {}).get("id"), mlm.get("distributor", {}).get("id")}
        if event["action"] == "order_placed":
            payer = card_of.get(mlm.get("payment", {}).get("fingerprint"))
            if payer not in named:  # someone else's card paid: both are in a story
                busy |= named | {payer}
        elif event["action"] not in ORDINARY:  # failed logins stay ordinary: typos, and sprays hit everyone
            busy |= named | {mlm.get("sponsor", {}).get("id"), mlm.get("target", {}).get("id")}
            busy |= bank_holders.get(mlm.get("bank", {}).get("fingerprint", ""), set())
    free = [p for p in people if p.user_id not in busy]
    return free if len(free) >= 2 else people  # a tiny world: better a crowded story than none


def family_signup(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], start: float) -> list[str]:
    """A member signs up a spouse and a grown child one evening on the home computer, one joint
    account, their usual mail provider; the parent's card pays the child's first order. The parent
    is an established member with one device, in no other story of this window. Returns the ids."""
    free = _cast(em, people)
    # "The home computer": a parent with one device, the one every session of theirs used.
    parent = rng.choice([p for p in free if len(p.devices) == 1] or free)
    home = host_in(random.Random(parent.user_id), parent.home_network)
    device = parent.devices[0]
    joined = []
    for index in range(2):
        person = make_person(rng, plan, len(people) + 1, parent, parent.country)
        person.bank, person.email_domain = parent.bank, parent.email_domain
        parent.downline.append(person.user_id)
        people.append(person)
        enroll(em, rng, person, parent, Client(home, device.user_agent, device.id), start + index * 1200)
        joined.append(person)
    child = joined[1]
    order(em, rng, child, Client(home, device.user_agent, device.id, child.user_id, child.username), start + 3000,
          payment=parent.payment)
    return [parent.user_id, *[p.user_id for p in joined]]


def partner_joins_bank(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], start: float) -> list[str]:
    """Partners who live together (one country, two established members in no other story of this
    window): one logs in from the other's home for days, then points payouts at the other's account.
    Returns both ids."""
    free = _cast(em, people)
    countries = Counter(p.country for p in free)
    owner = rng.choice([p for p in free if countries[p.country] > 1] or free)
    partner = rng.choice([p for p in free if p.country == owner.country and p is not owner] or
                         [p for p in free if p is not owner])
    home = host_in(random.Random(owner.user_id), owner.home_network)
    em.emit(start, "mlm.commerce", "payout_requested", "success", Client(home, owner.devices[0].user_agent,
            owner.devices[0].id, owner.user_id, owner.username), mlm__distributor__id=owner.user_id,
            mlm__payout__id=f"PO{em.count:08d}", mlm__payout__amount=120.0, mlm__bank__fingerprint=owner.bank)
    client = Client(home, partner.devices[0].user_agent, partner.devices[0].id, partner.user_id, partner.username)
    for day in range(3):
        em.login(start + day * DAY + 600, client, partner.username, partner.user_id, True)
    em.emit(start + 3 * DAY, "mlm.audit", "bank_account_changed", "success", client,
            mlm__bank__fingerprint=owner.bank, mlm__bank__previous_fingerprint=partner.bank)
    partner.bank = owner.bank
    return [owner.user_id, partner.user_id]
