"""Sponsors paying for their downline's orders: buying the team's qualification (and their own pay).

A card first used by the buyer is theirs. Otherwise its payer is an upline who used it before: the
one whose computer placed the order (a couple's card, used by the partner who sponsored the buyer),
else the first. A card new to everyone is the upline's whose computer placed the order. A card
whose owner was never seen is an upline's when it pays for three or more people below that upline
(two is a couple sharing a card), or for two outside each other's household when one of them paid
with a card of their own before (a couple starting on a joint card shares a home we see).

One partner paying the other's order is household life, so it takes two signals: someone outside
the payer's household (no bank account, or computer or home address shared for longer than today)
AND two or more downline accounts paid for, the payer at the keyboard (the order placed from their
own computer), or a buyer who paid with a card of their own before (someone else now pays their
qualification). A family card paying for the family never alerts alone (up to FAMILY accounts).
"""

from __future__ import annotations

from collections import deque

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import make_alert, short
from detectors.anomaly.state import BoundedMap, Suppressor
from detectors.fraud.common import CATEGORY, FRAUD_TAGS, commerce, distributor_of, text
from detectors.fraud.genealogy import Genealogy

DAY = 86_400.0
PAID_WINDOW = 35 * DAY  # about one commission month
MAX_CARD_USERS = 8
HOUSEHOLD_AGE = DAY
FAMILY = 3  # household accounts one card may pay for (a couple and a grown child)
UNSEEN_OWNER = 3  # people below one upline on a card nobody above them used: more than a couple


class SponsorPaidOrders:
    """Alerts when an upline's payment card pays orders of people below them."""

    name = "fraud.sponsor_paid_orders"
    # Orders, the genealogy, and where each account signs in and is paid: HTTP requests, sessions
    # and MFA steps show only the devices and addresses their login showed (the engine skips them).
    actions = frozenset({"login", "distributor_enrolled", "order_placed", "commission_calculated",
                         "bank_account_changed", "payout_requested", "payout_sent"})

    def __init__(self) -> None:
        self.tree = Genealogy()
        # account -> {bank or device: first seen}; only traits older than a day make a household
        self.traits: BoundedMap[str, dict[str, float]] = BoundedMap(200_000, 90 * DAY)
        self.born: BoundedMap[str, tuple[float, frozenset[str]]] = BoundedMap(200_000, 90 * DAY)  # enrollment
        # card -> {distributor: (time, event id) of their first order with it}, in first-use order
        self.card_users: BoundedMap[str, dict[str, tuple[float, str]]] = BoundedMap(500_000, 365 * DAY)
        self.paid: BoundedMap[str, deque[tuple[float, str, str]]] = BoundedMap(100_000, PAID_WINDOW)
        self.own_cards: BoundedMap[str, set[str]] = BoundedMap(300_000, 365 * DAY)  # cards each used first
        self.suppress = Suppressor(PAID_WINDOW)

    def process(self, event: Event) -> list[Alert]:
        action = event.flat.get("event.action")
        if action not in self.actions or event.flat.get("event.dataset") == "mlm.http":
            return []
        self._learn_traits(event)
        if action == "login":
            return []  # most of what arrives: it only teaches where the account signs in
        self.tree.learn(event)
        if not commerce(event, "order_placed"):
            return []
        dist, card = distributor_of(event), text(event, "mlm.payment.fingerprint")
        if not dist or not card:
            return []
        users = self.card_users.setdefault(card, event.ts, dict)
        uplines = self.tree.uplines(dist, event.ts)
        owner = next(iter(users), None)  # dicts keep first-use order
        payer = None if owner == dist else (
            self._payer_above(dist, uplines, users, event)
            # a card new to everyone, in the hands of an upline signed in from their own computer
            or next((u for u in uplines if self._operated_by(u, dist, event)), None)
            or self._unseen_owner(dist, card, uplines, users, event.ts))
        if len(users) < MAX_CARD_USERS and dist not in users:
            users[dist] = (event.ts, event.id)
        mine = self.own_cards.setdefault(dist, event.ts, set)
        if owner in (None, dist) and len(mine) < MAX_CARD_USERS:
            mine.add(card)
        return self._judge(payer, dist, event, switched=bool(mine - {card})) if payer else []

    def _payer_above(self, dist: str, uplines: list[str], users: dict[str, tuple[float, str]],
                     event: Event) -> str | None:
        """Of the card's earlier users above the buyer, the one at the keyboard (the order came from
        their computer: a couple's card, used by the partner who sponsored the buyer), else the first."""
        above = [u for u in users if u in set(uplines)]  # dicts keep first-use order
        return next((u for u in above if self._operated_by(u, dist, event)), above[0] if above else None)

    def _unseen_owner(self, dist: str, card: str, uplines: list[str], users: dict[str, tuple[float, str]],
                      now: float) -> str | None:
        """One card paying for several unrelated people below one upline: that upline's card, used unseen.

        The others' earlier orders join the upline's paid list, so this order can alert.
        """
        if dist in users:
            return None  # the buyer's own card (or one they already shared): nothing new
        others = [o for o in users if not self._household(o, dist, now)]
        # Two strangers suffice this month when one of them used to pay with a card of their own.
        recent = [o for o in others if now - users[o][0] <= PAID_WINDOW]
        least = 2 if any(self._paid_own_way(o, card, now) for o in [dist, *recent]) else UNSEEN_OWNER
        others = recent if least == 2 else others
        if len(others) + 1 < least:
            return None
        theirs = {o: set(self.tree.uplines(o, now)) for o in others}
        for upline in uplines:
            below = [o for o in others if upline in theirs[o]]
            if len(below) + 1 >= least:
                paid = self.paid.setdefault(upline, now, lambda: deque(maxlen=100))
                for other in below:
                    ts, event_id = users[other]
                    if all(eid != event_id for _, _, eid in paid):
                        paid.append((ts, other, event_id))
                return upline
        return None

    def _paid_own_way(self, who: str, card: str, now: float) -> bool:
        """Whether `who` paid with a card other than `card` that they were the first to use."""
        return bool((self.own_cards.get(who, now) or set()) - {card})

    def _learn_traits(self, event: Event) -> None:
        """Remember the bank accounts, devices and addresses each account uses (for household links).

        Exact addresses, not networks: mobile carriers put strangers on one /24 every day (and a
        stranger taken for family only makes this detector quieter). Payouts name no user but the
        distributor paid: their bank account is theirs.
        """
        if event.flat.get("event.outcome") == "failure":
            return
        who = event.flat.get("user.id") or (event.flat.get("event.dataset") == "mlm.commerce" and distributor_of(event))
        if not who:
            return
        found = [f"b:{v}" for v in (text(event, "mlm.bank.fingerprint"),) if v]
        found += [f"d:{v}" for v in (text(event, "mlm.device.id"),) if v]
        found += [f"ip:{v}" for v in (text(event, "source.ip"),) if v]
        if event.flat.get("event.action") == "distributor_enrolled":
            self.born.put(str(who)[:128], event.ts, (event.ts, frozenset(t for t in found if not t.startswith("b:"))))
        if found:
            traits = self.traits.setdefault(str(who)[:128], event.ts, dict)
            for trait in found:
                if len(traits) < 32:
                    traits.setdefault(trait, event.ts)

    def _household(self, a: str, b: str, now: float) -> bool:
        """Two accounts sharing a bank account, or a device or home address for a day or more, or
        one enrolled from the other's long-used device or address (signed up at home).

        A device or address shared only since today is no household: it is the sponsor's own
        computer, signed in to an existing recruit's account to buy for them.
        """
        mine, theirs = self.traits.get(a, now) or {}, self.traits.get(b, now) or {}
        for trait, first in mine.items():
            if trait in theirs and (trait.startswith("b:") or now - max(first, theirs[trait]) >= HOUSEHOLD_AGE):
                return True
        return self._born_at(a, mine, b, now) or self._born_at(b, theirs, a, now)

    def _born_at(self, old: str, traits: dict[str, float], new: str, now: float) -> bool:
        """`new` enrolled from a device or address `old` had used for a day or more before."""
        born = self.born.get(new, now)
        return born is not None and any(born[0] - traits.get(t, born[0]) >= HOUSEHOLD_AGE for t in born[1])

    def _operated_by(self, payer: str, buyer: str, event: Event) -> bool:
        """The order came from a computer the payer used before the buyer's account first did, today,
        and the buyer has a computer of their own: the payer signed in as them (devices only: strangers
        share mobile-carrier addresses; an account born on the family computer lives there)."""
        device = text(event, "mlm.device.id")
        mine, theirs = self.traits.get(payer, event.ts) or {}, self.traits.get(buyer, event.ts) or {}
        first = theirs.get(f"d:{device}")
        if first is None or not mine.get(f"d:{device}", first) < first or event.ts - first >= HOUSEHOLD_AGE:
            return False
        return any(t.startswith("d:") and seen < first for t, seen in theirs.items())

    def _judge(self, payer: str, dist: str, event: Event, switched: bool) -> list[Alert]:
        paid = self.paid.setdefault(payer, event.ts, lambda: deque(maxlen=100))
        paid.append((event.ts, dist, event.id))
        recent = sorted(p for p in paid if event.ts - p[0] <= PAID_WINDOW)
        downlines = {d for _, d, _ in recent}
        # A family card paying for a spouse or the kids is household life, however often. It takes
        # someone outside the payer's household AND a second sign (several accounts paid for, the
        # payer at the keyboard, a buyer who used to pay for themselves), or more accounts than a family.
        outside = [d for d in downlines if not self._household(payer, d, event.ts)]
        second = len(downlines) >= 2 or switched or self._operated_by(payer, dist, event)
        if not ((outside and second) or len(downlines) > FAMILY) or not self.suppress.allow(payer, event.ts):
            return []
        return [make_alert(
            rule_id="mlm-fraud-sponsor-paid-orders", rule_name="Upline pays the orders of their downline",
            category=CATEGORY, severity="medium", risk=60 + min(30, 5 * len(recent)),
            entity=("distributor", payer), ts=event.ts, evidence=[eid for _, _, eid in recent],
            summary=(f"A payment card of distributor {short(payer)} paid {len(recent)} orders of "
                     f"{len(downlines)} downline distributors within {int(PAID_WINDOW // DAY)} days."),
            tags=FRAUD_TAGS, extra={"mlm_siem": {"downlines": sorted(downlines)[:50]}},
        )]
