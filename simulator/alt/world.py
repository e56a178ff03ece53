"""The alternative world: a benign baseline week, then test days with attacks and hard negatives.

The month closes at the end of the first test day, so order cycling, inventory loading and honest
end-of-month buying all meet a real commission run inside the test window.
"""

from __future__ import annotations

import ipaddress
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from simulator import world as sim_world
from simulator.alt import ato, crowd, floods, fraud, payments, staff, web
from simulator.alt import negatives as hard
from simulator.alt.benign import member_day
from simulator.alt.business import Book, commission_run, payouts
from simulator.alt.emit import Writer
from simulator.alt.net import Net, build_net
from simulator.alt.people import Member, grow
from simulator.attacks import Truth

START = datetime(2026, 11, 23, tzinfo=UTC).timestamp()  # a Monday; the month ends on day 7
DAY = 86_400.0
CLOSE_HOUR = 23.0


# Hard negatives that are stories of a few members (not population traits like VPN use or CGNAT).
STORIES = {
    "traveller",
    "new_phone",
    "enrollment_meeting",
    "end_of_month_big_buyer",
    "spouses_share_bank",
    "leader_event_abroad",
    "family_shares_one_phone",
}


@dataclass
class AltWorld(sim_world.World):
    """`World` plus the hard negatives planted in the test days (benign look-alikes, for FP triage)."""

    negatives: list[Truth] = field(default_factory=list)
    # An alert naming a scenario's entity after its 3 h grace is late, not false: rings and cash-outs
    # resurface at the next commission run or payout, hours later, and that is the same fraud.
    grace_after: float = 2 * DAY


@dataclass
class Life:
    """Everything the days of one world share."""

    w: Writer
    rng: random.Random
    net: Net
    book: Book
    members: list[Member]
    trips: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    scale: float = 1.0  # volume of the floods and the stuffing wave (smaller for quick tests)
    staff: list[staff.Staff] = field(default_factory=list)
    test_from: int = 7  # the first test day: staff work from then on is named as a hard negative
    phones: list[list[Member]] = field(default_factory=list)  # households sharing one phone


def _day(life: Life, day: int) -> None:
    """One benign day: members, prospects, crawlers, and the weekly close on Sundays."""
    start = START + day * DAY
    for member in list(life.members):
        country, first, last = life.trips.get(member.id, ("", -9, -9))
        if day == first - 1:
            continue  # on a long-haul flight: no visit from home just before landing abroad
        abroad = country if first <= day <= last else None
        member_day(life.w, life.rng, life.net, life.book, member, day, start, abroad)
    crowd.prospects(
        life.w, life.rng, life.net, life.book, life.members, start, max(10, len(life.members) // 6)
    )
    crowd.crawlers(life.w, life.rng, start)
    staff.work_day(life.w, life.rng, life.staff, life.members, start, day >= life.test_from)
    if day % 7 == 6:
        _close(life, start + CLOSE_HOUR * 3600, f"2026-W{48 + day // 7}")


def _close(life: Life, ts: float, period: str) -> None:
    totals = commission_run(life.w, life.rng, life.book, ts, period)
    payouts(life.w, life.rng, life.book, totals, ts + 2 * 3600)


def _negatives(life: Life, first: float, span: float, close: float) -> list[Truth]:
    """Benign look-alikes on the test days; the structural ones (offices, VPN exit) are named too."""
    w, rng, net, book, members = life.w, life.rng, life.net, life.book, life.members

    def when() -> float:
        return first + rng.uniform(3600, span - 6 * 3600)

    found = [
        Truth(
            "",
            "benign",
            "traveller",
            [member],
            START + first_day * DAY,
            START + (last + 1) * DAY,
            {"country": country},
        )
        for member, (country, first_day, last) in life.trips.items()
        if START + last * DAY >= first
    ]
    found += [crowd.new_phone(w, rng, net, book, rng.choice(members), when()) for _ in range(3)]
    found.append(crowd.flash_crowd(w, rng, net, book, members, when()))
    found.append(crowd.flash_crowd(w, rng, net, book, members, when(), (3000, 6000)))
    found.append(crowd.enrollment_meeting(w, rng, net, book, members, when()))
    found.append(crowd.big_buyers(w, rng, net, book, members, close))
    found.append(crowd.spouse_bank(w, rng, members, when()))
    found.append(hard.email_blast(w, rng, net, book, members, when(), life.scale))
    found.append(hard.leader_event_abroad(w, rng, net, book, members, when()))
    found.append(hard.shared_phone_truth(life.phones, first, first + span))
    agents = [p for p in life.staff if p.role == "support"]
    served = sorted({m for p in agents for m in p.served})
    centre = sorted({p.office_ip for p in agents})
    found.append(
        Truth(
            "", "benign", "call_centre_agent", [p.id for p in agents] + centre + served, first, first + span
        )
    )
    for kind, attr in (("office_nat", "office_ip"), ("corporate_vpn_exit", "vpn_ip")):
        ips = sorted({getattr(m, attr) for m in members if getattr(m, attr)})
        users = [m.id for m in members if getattr(m, attr)]
        found.append(Truth("", "benign", kind, ips + users, first, first + span))
    for kind in sorted(set(w.marks.values())):
        found.append(
            Truth("", "benign", kind, sorted(e for e, k in w.marks.items() if k == kind), first, first + span)
        )
    for kind, users in (
        ("consumer_vpn", [m.id for m in members if m.consumer_vpn]),
        (
            "household_card",
            [m.id for m in members if m.spouse and m.card in {p.card for p in members if p.id == m.spouse}],
        ),
    ):
        found.append(Truth("", "benign", kind, users, first, first + span))
    carrier_nat = [
        str(ipaddress.IPv4Address(n + h)) for nets in net.mobile.values() for n in nets for h in range(1, 7)
    ]
    found.append(Truth("", "benign", "cgnat_mobile", carrier_nat, first, first + span))
    bots = [p.format(n=n) for p in crowd.BOTS.values() for n in range(1, 251)]
    found.append(Truth("", "benign", "search_crawler", bots, first, first + span))
    return found


def _attacks(life: Life, first: float, span: float, close: float, active: set[str]) -> list[Truth]:
    """Every scenario kind once, at random times of the test days, with parameters from wide ranges."""
    w, rng, net, book, members = life.w, life.rng, life.net, life.book, life.members

    def when(tail: float = 4 * 3600) -> float:
        return first + rng.uniform(1800, span - tail)

    wait = math.exp(rng.uniform(math.log(0.3), math.log(20))) * 3600  # takeover to cash-out: 20 min-20 h
    truth = [
        ato.stuffing(w, rng, net, members, when(), life.scale),
        ato.slow_spray(w, rng, net, members, first + 600),
        ato.slow_brute(w, rng, net, members, when()),
        ato.slow_brute(w, rng, net, members, when(), every=10.0),
        ato.mfa_guessing(w, rng, net, members, when()),
        ato.travel(w, rng, net, members, when(), vpn=False),
        ato.travel(w, rng, net, members, when(), vpn=True),
        ato.hijack(w, rng, net, members, when()),
        ato.cash_out(w, rng, net, members, when(wait + 2 * 3600), wait),
        ato.reset_takeover(w, rng, net, members, when()),
        ato.sim_swap(w, rng, net, members, when()),
        staff.phished_admin(w, rng, net, life.staff, members, when()),
    ]
    truth += [
        fraud.fake_ring(w, rng, net, book, members, first + rng.uniform(600, 7200), rng.randint(3, 15)),
        fraud.fake_ring(w, rng, net, book, members, first + rng.uniform(600, 7200), rng.randint(16, 30)),
        fraud.order_cycling(w, rng, book, members, close),
        fraud.shared_bank(w, rng, members, when(8 * 3600)),
        fraud.sponsor_pays(w, rng, net, book, members, when()),
        fraud.inflate(w, rng, book, members, close),
        fraud.slow_ring(w, rng, net, book, members, first, span),
        payments.chargeback_ring(w, rng, net, book, members, when(12 * 3600)),
        payments.refund_churn(w, rng, book, members, close + rng.uniform(1800, 4 * 3600)),
        payments.dormant_stacking(w, rng, net, book, members, when(10 * 3600), active),
    ]
    for cls in sorted(web.PAYLOADS):
        for place in (*web.PLACES, "evasive"):
            truth.append(web.careful(w, rng, net, members, when(), cls, place))
    truth.append(web.scanner(w, rng, net, when()))
    truth += [
        floods.one_ip(w, rng, net, when(), life.scale),
        floods.botnet(w, rng, net, when(), life.scale),
        floods.login_flood(w, rng, net, when(), life.scale),
        floods.expensive_pages(w, rng, net, when(), life.scale),
        floods.one_ip(w, rng, net, when(), life.scale, slow=True),
        floods.genealogy_scraper(w, rng, net, members, when(), life.scale),
    ]
    return truth


def generate(
    seed: int, distributors: int = 1500, baseline_days: int = 7, test_days: int = 2, scale: float = 1.0
) -> AltWorld:
    """A world for `seed`: the same seed gives the same events, ids and truth."""
    rng = random.Random(f"alt-world-{seed}")
    net = build_net(seed)
    members = grow(rng, net, distributors)
    trips = crowd.plan_trips(rng, net, members, [2, 3, baseline_days, baseline_days, baseline_days + 1], 2)
    life = Life(Writer(seed * 2), rng, net, Book({m.id: m for m in members}), members, trips, scale)
    life.staff, life.test_from = staff.hire(rng, net), baseline_days
    life.phones = hard.share_phones(rng, members)
    for day in range(baseline_days):
        _day(life, day)
    baseline, life.w = life.w.events, Writer(seed * 2 + 1)
    first, span = START + baseline_days * DAY, test_days * DAY
    close = first + CLOSE_HOUR * 3600
    for day in range(baseline_days, baseline_days + test_days):
        _day(life, day)
    negatives = _negatives(life, first, span, close)
    benign = _entities(life.w.events)
    active = {doc["user"]["id"] for doc in baseline + life.w.events if "user" in doc and "id" in doc["user"]}
    # Attackers pick among members who are not the protagonists of a benign story told the same days:
    # one member both a traveller and a takeover victim is no test of either.
    told = {e for t in negatives if t.kind in STORIES for e in t.entities}
    life.members = [m for m in life.members if m.id not in told]
    truth = _attacks(life, first, span, close, active)
    _close(life, close, "2026-11")
    for index, item in enumerate(truth):
        item.id = f"A{index + 1:02d}-{item.kind}"
    for index, item in enumerate(negatives):
        item.id = f"N{index + 1:02d}-{item.kind}"
    key = lambda doc: doc["@timestamp"]
    # By keyword: World may grow fields of its own (it did: grace_after) and shift the positions.
    return AltWorld(
        baseline=sorted(baseline, key=key),
        events=sorted(life.w.events, key=key),
        truth=truth,
        benign_entities=len(benign),
        negatives=negatives,
    )


def _entities(events: list[dict]) -> set[str]:
    """Accounts and addresses seen in benign test traffic: the denominator of FP rates."""
    found = {e.get("user", {}).get("id") for e in events} | {e.get("source", {}).get("ip") for e in events}
    return {x for x in found if x}
