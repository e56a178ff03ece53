"""Money that does not belong: bank accounts shared beyond a household, sponsors paying downline orders.

Two people of one household may share a bank account; a third distributor on it is a sign of
one person collecting several accounts' commissions. A sponsor whose card pays the orders of
people below them is buying their qualification (and so their own commissions); a couple where
one sponsored the other shares a card, a bank, a computer or a home network, so between
household members it takes repeated payments or several downline members to alert.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import make_alert, network_of, short
from detectors.anomaly.state import BoundedMap, Suppressor
from detectors.fraud.common import CATEGORY, FAKE_ACCOUNT_TAGS, FRAUD_TAGS, commerce, distributor_of, text

DAY = 86_400.0
HOUSEHOLD = 2          # people who may legitimately share one bank account
MAX_MEMBERS = 100
UPLINE_DEPTH = 5       # sponsors further up than this rarely know the buyer personally
PAID_WINDOW = 35 * DAY  # about one commission month
BANK_ACTIONS = ("distributor_enrolled", "bank_account_changed", "payout_requested", "payout_sent")


@dataclass(slots=True)
class Holders:
    members: dict[str, str] = field(default_factory=dict)  # distributor -> evidence event id
    alerted_at: int = 0


class SharedBankAccounts:
    """Alerts when one bank fingerprint serves more distributors than a household, again on doubling."""

    name = "fraud.shared_bank_accounts"

    def __init__(self) -> None:
        self.banks: BoundedMap[str, Holders] = BoundedMap(500_000, 365 * DAY)

    def process(self, event: Event) -> list[Alert]:
        action = event.flat.get("event.action")
        if action not in BANK_ACTIONS or event.flat.get("event.outcome") == "failure":
            return []
        # Staff may change a distributor's bank: then the account acted upon is the target.
        dist = text(event, "mlm.target.id") if action == "bank_account_changed" else None
        dist, bank = dist or distributor_of(event), text(event, "mlm.bank.fingerprint")
        if not dist or not bank:
            return []
        previous = text(event, "mlm.bank.previous_fingerprint")
        old = self.banks.get(previous, event.ts) if previous and previous != bank else None
        if old is not None:
            old.members.pop(dist, None)  # the account moved away: it no longer shares the old bank
        holders = self.banks.setdefault(bank, event.ts, Holders)
        if dist in holders.members or len(holders.members) >= MAX_MEMBERS:
            return []
        holders.members[dist] = event.id
        size = len(holders.members)
        if size <= HOUSEHOLD or size < 2 * holders.alerted_at:
            return []
        holders.alerted_at = size
        return [make_alert(
            rule_id="mlm-fraud-shared-bank", rule_name="Bank account shared by many distributors",
            category=CATEGORY, severity="high" if size >= 5 else "medium", risk=50 + min(45, 8 * size),
            entity=("distributor", dist), ts=event.ts, evidence=list(holders.members.values()),
            summary=(f"Distributor {short(dist)} uses a bank account already held by {size - 1} other "
                     f"distributors ({', '.join(short(m, 24) for m in list(holders.members)[:5])})."),
            tags=FAKE_ACCOUNT_TAGS, extra={"mlm_siem": {"members": list(holders.members)[:50]}},
        )]


class SponsorPaidOrders:
    """Alerts when a sponsor's (or upline's) payment card pays orders of several downline members."""

    name = "fraud.sponsor_paid_orders"

    def __init__(self) -> None:
        self.traits: BoundedMap[str, set[str]] = BoundedMap(200_000, 90 * DAY)  # banks, devices, /24s
        self.sponsor: BoundedMap[str, str] = BoundedMap(1_000_000, 3 * 365 * DAY)
        # card -> {distributor: (time, event id) of their first order with it}, in first-use order
        self.card_users: BoundedMap[str, dict[str, tuple[float, str]]] = BoundedMap(500_000, 365 * DAY)
        self.paid: BoundedMap[str, deque[tuple[float, str, str]]] = BoundedMap(100_000, PAID_WINDOW)
        self.suppress = Suppressor(PAID_WINDOW)

    def process(self, event: Event) -> list[Alert]:
        self._learn_traits(event)
        if commerce(event, "distributor_enrolled"):
            dist, sponsor = distributor_of(event), text(event, "mlm.sponsor.id")
            if dist and sponsor and dist != sponsor:
                self.sponsor.put(dist, event.ts, sponsor)
            return []
        if not commerce(event, "order_placed"):
            return []
        dist, card = distributor_of(event), text(event, "mlm.payment.fingerprint")
        if not dist or not card:
            return []
        users = self.card_users.setdefault(card, event.ts, dict)
        payer = self._upline_user(dist, users, event.ts) or self._sibling_sponsor(dist, users, event.ts)
        if len(users) < 8 and dist not in users:
            users[dist] = (event.ts, event.id)
        return self._judge(payer, dist, event) if payer else []

    def _sibling_sponsor(self, dist: str, users: dict[str, tuple[float, str]], now: float) -> str | None:
        """One card paying for two unrelated people under one sponsor: the sponsor's card, used unseen.

        The sibling's earlier order joins the sponsor's paid list, so the second order can alert.
        """
        sponsor = self.sponsor.get(dist, now)
        for other, (ts, event_id) in users.items():
            if other != dist and sponsor and self.sponsor.get(other, now) == sponsor \
                    and not self._household(other, dist, now):
                paid = self.paid.setdefault(sponsor, now, lambda: deque(maxlen=100))
                if all(eid != event_id for _, _, eid in paid):
                    paid.append((ts, other, event_id))
                return sponsor
        return None

    def _learn_traits(self, event: Event) -> None:
        """Remember the banks, devices and home networks each account uses (for household links)."""
        who = event.flat.get("user.id")
        if not who or event.flat.get("event.outcome") == "failure":
            return
        found = [f"b:{v}" for v in (text(event, "mlm.bank.fingerprint"),) if v]
        found += [f"d:{v}" for v in (text(event, "mlm.device.id"),) if v]
        found += [f"n:{v}" for v in (network_of(event.flat.get("source.ip")),) if v]
        if found:
            traits = self.traits.setdefault(str(who)[:128], event.ts, set)
            if len(traits) < 32:
                traits.update(found)

    def _household(self, a: str, b: str, now: float) -> bool:
        """Two accounts that share a bank account, a device or a network look like one household."""
        return bool((self.traits.get(a, now) or set()) & (self.traits.get(b, now) or set()))

    def _upline_user(self, dist: str, users: dict[str, tuple[float, str]], now: float) -> str | None:
        """The card's earliest user among the buyer's upline (UPLINE_DEPTH levels): its likely owner."""
        upline: list[str] = [dist]
        for _ in range(UPLINE_DEPTH):
            node = self.sponsor.get(upline[-1], now)
            if node is None or node in upline:
                break
            upline.append(node)
        holders = [u for u in users if u in upline[1:]]  # dicts keep first-use order
        return holders[0] if holders else None

    def _judge(self, payer: str, dist: str, event: Event) -> list[Alert]:
        paid = self.paid.setdefault(payer, event.ts, lambda: deque(maxlen=100))
        paid.append((event.ts, dist, event.id))
        recent = [p for p in paid if event.ts - p[0] <= PAID_WINDOW]
        downlines = {d for _, d, _ in recent}
        most = max(sum(1 for _, d, _ in recent if d == x) for x in downlines)
        # Within a household it takes two downline members or repeated payments (a spouse's card).
        household = all(self._household(payer, d, event.ts) for d in downlines)
        if (household and len(downlines) < 2 and most < 3) or not self.suppress.allow(payer, event.ts):
            return []
        return [make_alert(
            rule_id="mlm-fraud-sponsor-paid-orders", rule_name="Upline pays the orders of their downline",
            category=CATEGORY, severity="medium", risk=60 + min(30, 5 * len(recent)),
            entity=("distributor", payer), ts=event.ts, evidence=[eid for _, _, eid in recent],
            summary=(f"A payment card of distributor {short(payer)} paid {len(recent)} orders of "
                     f"{len(downlines)} downline distributors within {int(PAID_WINDOW // DAY)} days."),
            tags=FRAUD_TAGS, extra={"mlm_siem": {"downlines": sorted(downlines)[:50]}},
        )]
