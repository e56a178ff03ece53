"""Commission fraud paid for with other people's money: stolen-card rings, refund churn, dormant uplines.

From card-network and direct-selling compliance write-ups: straw accounts buy volume with stolen cards
and the chargebacks arrive after the bonuses were paid; a member buys to a rank and returns it all;
a fraudster revives a dormant account in their own downline and stacks recruits under it.
"""

from __future__ import annotations

import random

from simulator.alt.benign import browse, sign_in
from simulator.alt.business import Book, place_order, refund, refund_each, uplines
from simulator.alt.crowd import enroll
from simulator.alt.emit import Who, Writer
from simulator.alt.net import Net
from simulator.alt.people import DOMAINS, Member, keyed, new_device
from simulator.attacks import Truth

FAMILY = "commission_fraud"


def chargeback_ring(
    w: Writer, rng: random.Random, net: Net, book: Book, members: list[Member], ts: float
) -> Truth:
    """Straw accounts that share nothing but one or two stolen cards: each on its own proxy address,
    device, bank and mail provider; their big orders are charged back a day or two later."""
    recruiter = rng.choice([m for m in members if m.archetype in ("builder", "hobbyist")])
    cards = [keyed("card", f"stolen/{ts}/{i}") for i in range(rng.randint(1, 2))]
    span = rng.uniform(2, 20) * 3600
    size = rng.randint(3, 8)
    ring: list[Member] = []
    orders: list[tuple[str, float]] = []
    for index in range(size):
        phone = new_device(rng)
        who = Who(net.home_ip(rng, recruiter.country), phone.agent, phone.id)
        at = ts + span * index / size + rng.uniform(0, 600)
        member = enroll(
            w, rng, net, book, recruiter, who, at, country=recruiter.country, domain=rng.choice(DOMAINS)
        )
        signed = Who(who.ip, who.agent, who.device, member.id, member.username, w.token())
        for _ in range(rng.randint(1, 3)):
            at += rng.uniform(300, 3600)
            price = float(rng.choice((149, 299, 599)))
            orders.append(
                (place_order(w, rng, book, member, signed, at, amount=price, card=rng.choice(cards)), at)
            )
        ring.append(member)
    members.extend(ring)
    end = ts
    for order_id, placed in orders:  # the card holders dispute: the issuer pulls the money back
        end = max(end, placed + rng.uniform(12, 40) * 3600)
        refund(w, book, order_id, end, reason="chargeback")
    return Truth(
        "",
        FAMILY,
        "chargeback_ring_stolen_cards",
        [recruiter.id, *[m.id for m in ring]],
        ts,
        end,
        {"size": size, "cards": len(cards), "collateral": uplines(book, recruiter)},
    )


def refund_churn(w: Writer, rng: random.Random, book: Book, members: list[Member], ts: float) -> Truth:
    """Mid-period rank buying: orders until the rank is recognised, then every order returned, no close
    in between (the title, trip or bonus tied to the rank is the prize)."""
    cheat = rng.choice([m for m in members if m.archetype in ("builder", "hobbyist") and m.sponsor])
    device = cheat.devices[0]
    who = Who(cheat.home_ip, device.agent, device.id, cheat.id, cheat.username, w.token())
    at, volume, placed = ts, 0.0, []
    while volume < 1000:
        price = float(rng.choice((199, 399, 599, 799)))
        placed.append(place_order(w, rng, book, cheat, who, at, amount=price))
        volume += price * 0.8
        at += rng.uniform(300, 5400)
    w.event(
        at,
        "mlm.commerce",
        "rank_changed",
        None,
        mlm__distributor__id=cheat.id,
        mlm__rank__previous="silver",
        mlm__rank__current="gold",
    )
    at += rng.uniform(1, 10) * 3600
    at = refund_each(w, rng, book, placed, who, at, "unwanted")
    return Truth("", FAMILY, "refund_churn_no_close", [cheat.id], ts, at, {"orders": len(placed)})


def dormant_stacking(
    w: Writer, rng: random.Random, net: Net, book: Book, members: list[Member], ts: float, active: set[str]
) -> Truth:
    """A builder revives a silent account in their own downline from their own phone, points its payouts
    at their bank and stacks a burst of recruits under it (the upline stays clean)."""
    operator = rng.choice([m for m in members if m.archetype == "builder" and m.downline] or members)
    pool = {m.id for m in members}  # the cast still free for a scenario
    idle = [book.members[i] for i in operator.downline if i not in active and i in pool]
    dormant = rng.choice(idle or [book.members[i] for i in operator.downline if i in pool] or members)
    phone = operator.devices[0]
    who = Who(operator.home_ip, phone.agent, phone.id)
    at = sign_in(w, rng, dormant, who, ts)
    at = browse(w, rng, dormant, who, at, 2)
    w.event(
        at + 20,
        "mlm.audit",
        "bank_account_changed",
        who,
        mlm__bank__fingerprint=operator.bank,
        mlm__bank__previous_fingerprint=dormant.change_bank(at + 20, operator.bank),
        mlm__target__id=dormant.id,
    )
    recruits = []
    span = rng.uniform(1, 8) * 3600
    size = rng.randint(4, 12)
    for index in range(size):
        device = rng.choice(operator.devices)
        place = Who(
            rng.choice((operator.home_ip, net.mobile_ip(rng, operator.country))), device.agent, device.id
        )
        recruits.append(
            enroll(w, rng, net, book, dormant, place, at + 60 + span * index / size, country=dormant.country)
        )
    members.extend(recruits)
    return Truth(
        "",
        FAMILY,
        "dormant_upline_stacking",
        [dormant.id, operator.id, *[m.id for m in recruits]],
        ts,
        at + span + 600,
        {"size": size, "was_idle": bool(idle), "collateral": uplines(book, operator)},
    )
