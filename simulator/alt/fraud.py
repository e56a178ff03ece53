"""Compensation-plan abuse as described by regulators and MLM compliance teams."""

from __future__ import annotations

import math
import random

from simulator.alt.benign import sign_in
from simulator.alt.business import Book, place_order, refund_each, uplines
from simulator.alt.crowd import enroll
from simulator.alt.emit import Who, Writer
from simulator.alt.net import Net
from simulator.alt.people import Member, keyed, new_device
from simulator.attacks import Truth

FAMILY = "commission_fraud"


def fake_ring(
    w: Writer, rng: random.Random, net: Net, book: Book, members: list[Member], ts: float, size: int
) -> Truth:
    """Straw accounts under one recruiter, enrolled over hours from a few phones, sharing banks and cards."""
    leader = rng.choice([m for m in members if m.archetype in ("builder", "hobbyist")])
    phones = [new_device(rng) for _ in range(rng.randint(1, 3))]
    ips = [net.mobile_ip(rng, leader.country) for _ in range(2)] + [leader.home_ip]
    banks = [keyed("bank", f"ring/{ts}/{i}") for i in range(rng.randint(1, 3))]
    card = keyed("card", f"ring/{ts}") if rng.random() < 0.7 else leader.card
    # Sign-up gaps from 20 s (a script) to 6 h (someone careful), log-uniform, within a day and a half.
    span = min(math.exp(rng.uniform(math.log(20), math.log(6 * 3600))) * size, 36 * 3600)
    domain = rng.choice(("gmail.com", "outlook.com", "tempmail.dev", "yopmail.com"))
    ring: list[Member] = []
    for index in range(size):
        phone = rng.choice(phones)
        who = Who(rng.choice(ips), phone.agent, phone.id)
        sponsor = leader if index < 3 or rng.random() < 0.5 else rng.choice(ring)
        member = enroll(
            w,
            rng,
            net,
            book,
            sponsor,
            who,
            ts + span * index / size,
            country=leader.country,
            bank=rng.choice(banks),
            card=card,
            domain=domain,
        )
        ring.append(member)
    members.extend(ring)
    return Truth(
        "",
        FAMILY,
        f"fake_account_ring_{'large' if size > 15 else 'small'}",
        [leader.id, *[m.id for m in ring]],
        ts,
        ts + span + 600,
        {"size": size, "banks": len(banks), "gap_s": round(span / size), "collateral": uplines(book, leader)},
    )


def order_cycling(w: Writer, rng: random.Random, book: Book, members: list[Member], close: float) -> Truth:
    """Orders placed hours before the close to qualify, refunded once the commission run has paid."""
    cheat = rng.choice([m for m in members if m.archetype in ("builder", "hobbyist") and m.sponsor])
    device = cheat.devices[0]
    who = Who(cheat.home_ip, device.agent, device.id, cheat.id, cheat.username, w.token())
    placed: list[str] = []
    at = close - rng.uniform(2, 20) * 3600
    first = at + 0.0
    for _ in range(rng.randint(1, 3)):
        at += rng.uniform(120, 3600)
        first = min(first, at) if placed else at
        placed.append(place_order(w, rng, book, cheat, who, at, amount=float(rng.choice((299, 499, 799)))))
    # Refunds land after the run, when volume was already paid up the line.
    at = close + rng.uniform(4, 30) * 3600
    at = refund_each(w, rng, book, placed, who, at, "changed")
    return Truth(
        "", FAMILY, "order_cycling_refund_after_close", [cheat.id], first, at, {"orders": len(placed)}
    )


def shared_bank(w: Writer, rng: random.Random, members: list[Member], ts: float) -> Truth:
    """Unrelated distributors (different homes, sponsors) paid into one account: hidden ownership."""
    group = rng.sample([m for m in members if not m.spouse], rng.randint(2, 6))
    mule = keyed("bank", f"shared/{ts}")
    at, first = ts, 0.0
    for member in group:
        at += rng.uniform(600, 20_000)
        first = first or at
        device = member.devices[0]
        who = Who(member.home_ip, device.agent, device.id, member.id, member.username, w.token())
        w.event(
            at,
            "mlm.audit",
            "bank_account_changed",
            who,
            mlm__bank__fingerprint=mule,
            mlm__bank__previous_fingerprint=member.change_bank(at, mule),
            mlm__target__id=member.id,
        )
    return Truth("", FAMILY, "shared_bank_unrelated", [m.id for m in group], first, at, {"size": len(group)})


def sponsor_pays(
    w: Writer, rng: random.Random, net: Net, book: Book, members: list[Member], ts: float
) -> Truth:
    """A sponsor keeps a leg "active" by buying in downline accounts with their own card, from home."""
    sponsor = rng.choice([m for m in members if len(m.downline) >= 3] or members)
    downline = _free(sponsor.downline, members)
    legs = [book.members[i] for i in rng.sample(downline, min(len(downline), rng.randint(3, 8)))]
    at = ts
    for member in legs:
        device = sponsor.devices[0]
        who = Who(sponsor.home_ip, device.agent, device.id)
        at = sign_in(w, rng, member, who, at + rng.uniform(60, 600))
        place_order(w, rng, book, member, who, at + rng.uniform(20, 120), card=sponsor.card)
    return Truth("", FAMILY, "sponsor_pays_downline", [sponsor.id, *[m.id for m in legs]], ts, at + 200)


def _free(ids: list[str], members: list[Member]) -> list[str]:
    """The ids among `members` (the cast still free for a scenario), else all of them."""
    pool = {m.id for m in members}
    return [i for i in ids if i in pool] or ids


def inflate(w: Writer, rng: random.Random, book: Book, members: list[Member], close: float) -> Truth:
    """Inventory loading in one leg just before the close: the earner above gets a commission spike."""
    earner = rng.choice([m for m in members if m.archetype == "hobbyist" and m.downline] or members)
    buyer = book.members[rng.choice(_free(earner.downline, members))] if earner.downline else earner
    device = buyer.devices[0]
    who = Who(buyer.home_ip, device.agent, device.id, buyer.id, buyer.username, w.token())
    at = close - rng.uniform(1, 6) * 3600
    for _ in range(rng.randint(3, 6)):
        at += rng.uniform(60, 600)
        place_order(w, rng, book, buyer, who, at, amount=float(rng.choice((2500, 4000, 6000))), items=40)
    return Truth(
        "",
        FAMILY,
        "commission_spike_inventory_loading",
        [earner.id, buyer.id],
        close,
        close + 600,
        {"buyer": buyer.id, "collateral": uplines(book, earner)},
    )


def slow_ring(
    w: Writer, rng: random.Random, net: Net, book: Book, members: list[Member], first: float, span: float
) -> Truth:
    """A patient ring: one sign-up every few hours for two days, each from a different home address,
    but all on two phones and paid out to two accounts."""
    leader = rng.choice([m for m in members if m.archetype == "hobbyist"] or members)
    phones = [new_device(rng) for _ in range(2)]
    banks = [keyed("bank", f"slow-ring/{first}/{i}") for i in range(2)]
    times = sorted(first + rng.uniform(0, span - 3600) for _ in range(rng.randint(8, 15)))
    ring = []
    for at in times:
        phone = rng.choice(phones)
        who = Who(net.home_ip(rng, leader.country), phone.agent, phone.id)
        ring.append(
            enroll(
                w,
                rng,
                net,
                book,
                leader,
                who,
                at,
                country=leader.country,
                bank=rng.choice(banks),
                domain=leader.email_domain,
            )
        )
    members.extend(ring)
    return Truth(
        "",
        FAMILY,
        "fake_account_ring_slow",
        [leader.id, *[m.id for m in ring]],
        times[0],
        times[-1] + 600,
        {"size": len(ring), "collateral": uplines(book, leader)},
    )
