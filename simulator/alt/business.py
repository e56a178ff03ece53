"""The MLM business of the alternative world: orders, unilevel volume, commission runs, payouts."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from simulator.alt.emit import Who, Writer
from simulator.alt.people import Member

# Unilevel payout by generation above the buyer (a common 5-level plan), on business volume.
LEVELS = (0.05, 0.05, 0.04, 0.03, 0.02)
KITS = ((39.0, 30), (79.0, 60), (149.0, 120), (299.0, 240))  # price, BV of the usual packs


@dataclass
class Book:
    """Every order and enrolment with its time, so each run pays exactly what its period bought.

    Scenarios are generated one after another, not in time order: a refund generated before the
    run it follows must still leave the run's volume intact, hence times instead of running totals.
    """

    members: dict[str, Member]
    orders: dict[str, tuple[str, float, float, float]] = field(default_factory=dict)  # member, amount, bv, ts
    refunded: dict[str, float] = field(default_factory=dict)  # order -> when
    enrolled: dict[str, tuple[str, float]] = field(default_factory=dict)  # new member -> sponsor, when
    last_close: float = 0.0

    def add(self, member: Member) -> None:
        self.members[member.id] = member

    def volume(self, close: float) -> dict[str, float]:
        """Business volume per buyer in (last close, close], net of refunds made by the close."""
        found: dict[str, float] = defaultdict(float)
        for order_id, (member_id, _, bv, ts) in self.orders.items():
            if self.last_close < ts <= close and self.refunded.get(order_id, close + 1) > close:
                found[member_id] += bv
        return found


def uplines(book: Book, member: Member, levels: int = 5) -> list[str]:
    """Sponsors paid on a member's volume, nearest first."""
    found: list[str] = []
    sponsor = member.sponsor
    while sponsor and len(found) < levels:
        found.append(sponsor)
        sponsor = book.members[sponsor].sponsor
    return found


def place_order(
    w: Writer,
    rng: random.Random,
    book: Book,
    member: Member,
    who: Who | None,
    ts: float,
    amount: float | None = None,
    card: str | None = None,
    items: int | None = None,
) -> str:
    """A checkout: the request (when a client made it) and `order_placed`; returns the order id."""
    price, bv = rng.choice(KITS) if amount is None else (amount, round(amount * 0.8))
    order_id = f"SO-{w.token(40)}"
    book.orders[order_id] = (member.id, price, bv, ts)
    count = items or rng.randint(1, 4)
    w.event(
        ts,
        "mlm.commerce",
        "order_placed",
        who,
        mlm__distributor__id=member.id,
        mlm__order__id=order_id,
        mlm__order__amount=price,
        mlm__order__currency="USD",
        mlm__order__pv=bv,
        mlm__order__bv=bv,
        mlm__order__items=count,
        mlm__payment__fingerprint=card or member.card,
    )
    if who is not None:
        w.hit(
            ts + 0.2,
            who,
            "POST",
            "/orders",
            303,
            body=f"csrf_token={w.token(64)}&kit={count}&qty=1",
            referrer="https://shop.example.com/shop",
        )
    return order_id


def refund(
    w: Writer, book: Book, order_id: str, ts: float, who: Who | None = None, reason: str | None = None
) -> None:
    """`order_refunded` (a return, or a `chargeback` the card issuer forced)."""
    member_id, amount, _, _ = book.orders[order_id]
    book.refunded[order_id] = ts
    w.event(
        ts,
        "mlm.commerce",
        "order_refunded",
        who,
        mlm__distributor__id=member_id,
        mlm__order__id=order_id,
        mlm__order__amount=amount,
        mlm__refund__reason=reason,
    )


def refund_each(
    w: Writer, rng: random.Random, book: Book, placed: list[str], who: Who, at: float, reason: str
) -> float:
    """The member asks the shop to take back each order in turn; returns the time of the last refund."""
    for order_id in placed:
        at += rng.uniform(60, 1800)
        w.hit(at, who, "POST", f"/orders/{order_id}/refund", 303, body=f"csrf_token={w.token(64)}&reason={reason}")
        refund(w, book, order_id, at + 0.01, who)
    return at


def _earnings(book: Book, close: float) -> dict[str, tuple[float, list[str]]]:
    """Unilevel commissions: each buyer's volume pays five generations of sponsors."""
    pay: dict[str, float] = defaultdict(float)
    sources: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for buyer, bv in sorted(book.volume(close).items()):
        if bv <= 0:
            continue
        upline = book.members[buyer].sponsor
        for rate in LEVELS:
            if upline is None:
                break
            pay[upline] += bv * rate
            sources[upline].append((-bv, buyer))
            upline = book.members[upline].sponsor
    # The 50 source ids a run can list are the biggest contributors, as a statement would show.
    return {k: (round(v, 2), [buyer for _, buyer in sorted(sources[k])[:50]]) for k, v in pay.items()}


def commission_run(w: Writer, rng: random.Random, book: Book, ts: float, period: str) -> dict[str, float]:
    """Close a period: commissions, fast-start bonuses, rank changes; returns amount per earner."""
    earned = _earnings(book, ts)
    for new, (sponsor, when) in sorted(book.enrolled.items()):
        if not book.last_close < when <= ts:
            continue
        amount, sources = earned.get(sponsor, (0.0, []))
        earned[sponsor] = (round(amount + 25.0, 2), (sources + [new])[:50])
    totals: dict[str, float] = {}
    for index, (earner, (amount, sources)) in enumerate(sorted(earned.items())):
        at = ts + index * 0.01
        w.event(
            at,
            "mlm.commerce",
            "commission_calculated",
            None,
            mlm__distributor__id=earner,
            mlm__commission__period=period,
            mlm__commission__amount=amount,
            mlm__commission__type="unilevel_level",
            mlm__commission__source_ids=sources,
        )
        totals[earner] = amount
        if amount > 400 and rng.random() < 0.1:
            w.event(
                at + 0.005,
                "mlm.commerce",
                "rank_changed",
                None,
                mlm__distributor__id=earner,
                mlm__rank__previous="silver",
                mlm__rank__current="gold",
            )
    book.last_close = ts
    return totals


def payouts(w: Writer, rng: random.Random, book: Book, totals: dict[str, float], ts: float) -> None:
    """The automatic payout batch after a run: every earner over the minimum is paid to their bank."""
    for index, (earner, amount) in enumerate(sorted(totals.items())):
        if amount < 20:
            continue
        at = ts + index * 0.05
        payout = f"PO-{w.token(40)}"
        fields: dict[str, Any] = {
            "mlm__distributor__id": earner,
            "mlm__payout__id": payout,
            "mlm__payout__amount": amount,
            "mlm__bank__fingerprint": book.members[earner].bank_at(at),
        }
        w.event(at, "mlm.commerce", "payout_requested", None, **fields)
        w.event(at + 1800 + rng.uniform(0, 600), "mlm.commerce", "payout_approved", None, **fields)
        w.event(at + 7200 + rng.uniform(0, 3600), "mlm.commerce", "payout_sent", None, **fields)
