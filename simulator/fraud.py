"""Commission-fraud campaigns: fake-account rings, order cycling, shared banks, funded orders, spikes.

Each truth's `notes["evidence_at"]` is the event time at which the fraud first becomes provable from
the events (the second ring account tied to an earlier one, the second holder of the shared bank,
the refund after the run, the second order on the sponsor's card, the spiked commission), so the
evaluation can report time to detect from the evidence next to time to detect from the start.
"""

from __future__ import annotations

import random

from simulator.attacks import Truth
from simulator.benign import enroll, order
from simulator.events import Client, Emitter, fingerprint
from simulator.ipplan import IpPlan
from simulator.population import Person, make_device, make_person

ENROLLED = 301.0  # `enroll` emits distributor_enrolled this long after the sign-up starts
PLACED = 0.02  # `order` emits order_placed this long after the order starts


def first_tie(uses: list[tuple[float, set[str]]]) -> float | None:
    """When an event first shows an identifier (device, bank, card) an earlier event of the ring used."""
    seen: set[str] = set()
    for ts, ids in sorted(uses, key=lambda use: use[0]):
        if ids & seen:
            return ts
        seen |= ids
    return None


def fake_ring(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float) -> Truth:
    """One operator enrolls a stack of fake recruits under a sponsor, reusing devices, IPs and banks."""
    sponsor = rng.choice(people)
    devices = [make_device(rng, f"ring{int(t)}") for _ in range(rng.randint(1, 3))]
    network = plan.network(rng, sponsor.country)
    banks = [fingerprint("bank", f"ring-{t}-{i}") for i in range(rng.randint(1, 2))]
    cards = [fingerprint("card", f"ring-{t}-{i}") for i in range(rng.randint(1, 2))]
    members: list[str] = []
    uses: list[tuple[float, set[str]]] = []
    ts = t
    parent = sponsor
    for _ in range(rng.randint(6, 25)):
        person = make_person(rng, plan, len(people) + 1, sponsor, sponsor.country)
        person.bank, person.payment = rng.choice(banks), rng.choice(cards)
        person.email_domain = rng.choice(("mailinator.com", "guerrillamail.com", sponsor.email_domain))
        sponsor.downline.append(person.user_id)
        people.append(person)
        device = rng.choice(devices)
        ip = f"{network >> 24}.{(network >> 16) & 255}.{(network >> 8) & 255}.{rng.randint(2, 250)}"
        enroll(em, rng, person, parent if rng.random() < 0.5 else sponsor,
               Client(ip, device.user_agent, device.id), ts)
        client = Client(ip, device.user_agent, device.id, person.user_id, person.username)
        order(em, rng, person, client, ts + 400, amount=round(rng.uniform(99, 120), 2))
        uses += [(ts + ENROLLED, {f"d:{device.id}", f"b:{person.bank}"}), (ts + 400 + PLACED, {f"c:{person.payment}"})]
        parent = person  # stacked down one leg
        members.append(person.user_id)
        ts += rng.uniform(60, 900)
    return Truth("", "commission_fraud", "fake_account_ring", [sponsor.user_id, *members], t, ts,
                 {"evidence_at": first_tie(uses)})


def order_cycling(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float,
                  period_close: float, period: str) -> Truth:
    """Big orders just before the period closes to qualify, refunded right after the run pays."""
    cheat = rng.choice(people)
    device = cheat.devices[0]
    client = Client(plan.address(rng, cheat.country), device.user_agent, device.id, cheat.user_id, cheat.username)
    start = period_close - rng.uniform(600, 6 * 3600)
    orders = []
    ts = start
    for _ in range(rng.randint(1, 4)):
        amount = round(rng.uniform(300, 1200), 2)
        orders.append((f"O{em.count:09d}", amount))  # the id `order` gives the order it places now
        order(em, rng, cheat, client, ts, amount=amount)
        ts += rng.uniform(60, 1800)
    em.emit(period_close + 1, "mlm.commerce", "commission_calculated", "success", None, user__id=cheat.user_id,
            mlm__distributor__id=cheat.user_id, mlm__commission__period=period,
            mlm__commission__amount=round(rng.uniform(200, 900), 2), mlm__commission__type="unilevel_level",
            mlm__commission__source_ids=cheat.downline[:50] or [cheat.user_id])
    ts = period_close + rng.uniform(3600, 3 * 86_400)
    refunded = ts
    for order_id, amount in orders:
        em.emit(ts, "mlm.commerce", "order_refunded", "success", client, mlm__distributor__id=cheat.user_id,
                mlm__order__id=order_id, mlm__order__amount=amount)
        ts += rng.uniform(60, 3600)
    return Truth("", "commission_fraud", "order_cycling", [cheat.user_id], start, ts, {"evidence_at": refunded})


def shared_bank(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float) -> Truth:
    """Several unrelated distributors point their payouts at one account (a mule or an operator)."""
    mule = fingerprint("bank", f"shared-{t}")
    group = rng.sample(people, rng.randint(3, 7))
    ts = t
    changes = []
    for person in group:
        device = person.devices[0]
        client = Client(plan.address(rng, person.country), device.user_agent, device.id, person.user_id,
                        person.username)
        em.emit(ts, "mlm.audit", "bank_account_changed", "success", client, mlm__bank__fingerprint=mule,
                mlm__bank__previous_fingerprint=person.bank)
        person.bank = mule
        changes.append(ts)
        ts += rng.uniform(600, 4 * 3600)
    return Truth("", "commission_fraud", "shared_bank_account", [p.user_id for p in group], t, ts,
                 {"evidence_at": changes[1]})  # a stranger joining the account is the second holder


def sponsor_funded_orders(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float) -> Truth:
    """A sponsor pays for the downline's orders with their own card to keep the team 'active'."""
    sponsor = max(rng.sample(people, 20), key=lambda p: len(p.downline))
    by_id = {p.user_id: p for p in people}
    downline = [by_id[i] for i in sponsor.downline if i in by_id][: rng.randint(3, 8)]
    ts = t
    placed = []
    for person in downline:
        device = person.devices[0]
        client = Client(plan.address(rng, person.country), device.user_agent, device.id, person.user_id,
                        person.username)
        order(em, rng, person, client, ts, payment=sponsor.payment)
        placed.append(ts + PLACED)
        ts += rng.uniform(300, 7200)
    # Two of the team on one card is provable whether or not the sponsor was ever seen using it.
    return Truth("", "commission_fraud", "sponsor_funded_orders", [sponsor.user_id, *[p.user_id for p in downline]],
                 t, ts, {"evidence_at": placed[min(1, len(placed) - 1)]})


def commission_spike(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float,
                     period: str) -> Truth:
    """A commission far out of line with the distributor's history and unchanged downline."""
    cheat = rng.choice([p for p in people if p.downline] or people)
    base = 15 + 12 * len(cheat.downline)
    em.emit(t, "mlm.commerce", "commission_calculated", "success", None, user__id=cheat.user_id,
            mlm__distributor__id=cheat.user_id, mlm__commission__period=period,
            mlm__commission__amount=round(base * rng.uniform(12, 40), 2), mlm__commission__type="matching",
            mlm__commission__source_ids=cheat.downline[:50])
    return Truth("", "commission_fraud", "commission_spike", [cheat.user_id], t, t, {"evidence_at": t})


def slow_fake_ring(em: Emitter, rng: random.Random, plan: IpPlan, people: list[Person], t: float) -> Truth:
    """A ring fed slowly: 4-9 accounts over 8-30 hours from one or two phones on two mobile networks,
    ordinary mail providers, one or two bank accounts, each account buying a starter kit on one card."""
    sponsor = rng.choice(people)
    phones = [make_device(rng, f"slowring{int(t)}") for _ in range(rng.randint(1, 2))]
    networks = [plan.network(rng, sponsor.country) for _ in range(2)]
    banks = [fingerprint("bank", f"slowring-{t}-{i}") for i in range(rng.randint(1, 2))]
    card = fingerprint("card", f"slowring-{t}")
    size, span = rng.randint(4, 9), rng.uniform(8, 30) * 3600
    members: list[str] = []
    uses: list[tuple[float, set[str]]] = []
    for index in range(size):
        person = make_person(rng, plan, len(people) + 1, sponsor, sponsor.country)
        person.bank, person.payment = rng.choice(banks), card
        person.email_domain = rng.choice(("gmail.com", "outlook.com", sponsor.email_domain))
        sponsor.downline.append(person.user_id)
        people.append(person)
        phone, net = rng.choice(phones), rng.choice(networks)
        ip = f"{net >> 24}.{(net >> 16) & 255}.{(net >> 8) & 255}.{rng.randint(2, 250)}"
        ts = t + span * index / size
        enroll(em, rng, person, sponsor, Client(ip, phone.user_agent, phone.id), ts)
        order(em, rng, person, Client(ip, phone.user_agent, phone.id, person.user_id, person.username), ts + 420,
              amount=round(rng.uniform(49, 199), 2))
        uses += [(ts + ENROLLED, {f"d:{phone.id}", f"b:{person.bank}"}), (ts + 420 + PLACED, {f"c:{card}"})]
        members.append(person.user_id)
    return Truth("", "commission_fraud", "slow_fake_ring", [sponsor.user_id, *members], t, t + span + 420,
                 {"evidence_at": first_tie(uses)})
