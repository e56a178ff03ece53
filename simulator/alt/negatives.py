"""More benign look-alikes a real deployment must stay quiet on (hard negatives with their truth)."""

from __future__ import annotations

import random

from simulator.alt.benign import SITE, browse, sign_in, where
from simulator.alt.business import Book, place_order
from simulator.alt.crowd import enroll
from simulator.alt.emit import Who, Writer
from simulator.alt.net import Net
from simulator.alt.people import Device, Member, new_device
from simulator.attacks import Truth


def email_blast(
    w: Writer, rng: random.Random, net: Net, book: Book, members: list[Member], ts: float, scale: float = 1.0
) -> Truth:
    """A "last day of the sale" e-mail: hundreds of members sign in within minutes from where they
    always are, with the usual typos and forgotten passwords, and look at the promo."""
    crowd = rng.sample(members, min(len(members), int(rng.randint(300, 900) * scale)))
    spread = rng.uniform(300, 1200)
    seen: list[str] = []
    for member in crowd:
        device = member.devices[0]
        who = Who(where(rng, net, member, 2, None), device.agent, device.id)
        at = sign_in(w, rng, member, who, ts + rng.expovariate(3 / spread))
        w.hit(
            at + 1,
            who,
            "GET",
            "/shop/promo",
            query="utm_source=email&utm_campaign=lastday",
            referrer=SITE + "/",
        )
        at = browse(w, rng, member, who, at + 2, rng.randint(1, 4))
        if rng.random() < 0.2:
            place_order(w, rng, book, member, who, at + rng.uniform(30, 300))
        seen += [member.id, who.ip]
    return Truth(
        "",
        "benign",
        "email_blast_login_surge",
        sorted(set(seen)),
        ts,
        ts + spread * 3,
        {"members": len(crowd)},
    )


def leader_event_abroad(
    w: Writer, rng: random.Random, net: Net, book: Book, members: list[Member], ts: float
) -> Truth:
    """A leader opens a new market: flies in, signs in from the hotel on their own phone and enrols a
    room of locals on the venue wifi, each on their own phone, card and bank."""
    leader = rng.choice([m for m in members if m.archetype == "leader"] or members)
    country = rng.choice([c for c in net.countries if c != leader.country])
    venue = net.home_ip(rng, country)
    phone = leader.devices[0]
    who = Who(net.home_ip(rng, country), phone.agent, phone.id)
    at = sign_in(w, rng, leader, who, ts - rng.uniform(1800, 7200))
    browse(w, rng, leader, who, at, 3)
    joined = []
    for _ in range(rng.randint(10, 30)):
        device = new_device(rng)
        guest = Who(venue, device.agent, device.id)
        joined.append(enroll(w, rng, net, book, leader, guest, ts + rng.uniform(0, 7200), country=country))
    members.extend(joined)
    return Truth(
        "",
        "benign",
        "leader_event_abroad",
        [leader.id, venue, who.ip, *[m.id for m in joined]],
        ts - 7200,
        ts + 8000,
        {"country": country},
    )


def share_phones(rng: random.Random, members: list[Member], families: int = 2) -> list[list[Member]]:
    """Households of three (parents and a grown child, all members) on one home line and one phone,
    from the start: planted before the baseline so the sharing is their normal."""
    found: list[list[Member]] = []
    free = [m for m in members if not m.spouse and not m.office_ip and not m.vpn_ip and not m.consumer_vpn]
    for _ in range(families):
        country = rng.choice(sorted({m.country for m in free}))
        local = [m for m in free if m.country == country]
        if len(local) < 3:
            continue
        family = rng.sample(local, 3)
        phone = Device(family[0].devices[0].id, family[0].devices[0].agent)
        for member in family:
            member.home_ip = family[0].home_ip
            if member is not family[0]:
                member.devices.insert(0, phone)
            free.remove(member)
        found.append(family)
    return found


def shared_phone_truth(families: list[list[Member]], first: float, end: float) -> Truth:
    """The negative entry naming every member and home line of the phone-sharing households."""
    entities = sorted({x for family in families for m in family for x in (m.id, m.home_ip)})
    return Truth("", "benign", "family_shares_one_phone", entities, first, end)
