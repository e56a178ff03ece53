"""Bank accounts shared beyond a household, and cards shared by unrelated new accounts.

Two people of one household may share a bank account; a third distributor on it is a sign of
one person collecting several accounts' commissions. A distributor who newly points payouts at
an account already held by a stranger (no shared device or address, neither enrolled the other)
is that sign already at the second holder: it alerts at once, not after the third. A new account
paying with a card that an unrelated account used before is the stolen-card ring's sign, at the
second straw account's first order (not at the chargebacks a day or two later).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import make_alert, short
from detectors.anomaly.state import BoundedMap
from detectors.fraud.common import CATEGORY, FAKE_ACCOUNT_TAGS, distributor_of, text
from detectors.fraud.traits import Traits

DAY = 86_400.0
HOUSEHOLD = 2          # people who may legitimately share one bank account
FAMILY = 3             # ... when each joined it from the same home or was enrolled by another
MAX_MEMBERS = 100
BANK_ACTIONS = ("distributor_enrolled", "bank_account_changed", "payout_requested", "payout_sent")
JOINS = ("distributor_enrolled", "bank_account_changed")  # choosing the account, not just using it


@dataclass(slots=True)
class Holders:
    members: dict[str, str] = field(default_factory=dict)  # distributor -> evidence event id
    alerted_at: int = 0


class SharedBankAccounts:
    """Alerts when one bank fingerprint serves a stranger or more than a household, again on doubling."""

    name = "fraud.shared_bank_accounts"
    # Logins teach each account's devices and addresses (the household test); the engine skips the rest.
    actions = frozenset((*BANK_ACTIONS, "order_placed", "login"))

    def __init__(self) -> None:
        self.banks: BoundedMap[str, Holders] = BoundedMap(500_000, 365 * DAY)
        self.cards: BoundedMap[str, Holders] = BoundedMap(500_000, 90 * DAY)
        self.traits = Traits()

    def _card(self, event: Event) -> list[Alert]:
        """A new account paying with a card that strangers used before it: stolen cards spread over
        straw accounts (a household shares a card and a home; a sponsor pays a recruit's kit)."""
        dist, card = distributor_of(event), text(event, "mlm.payment.fingerprint")
        if not dist or not card:
            return []
        self.traits.learn(dist, event)
        users = self.cards.setdefault(card, event.ts, Holders)
        if dist in users.members or len(users.members) >= MAX_MEMBERS:
            return []
        above = self._uplines(dist, event.ts)  # an upline buying a recruit's kit is funding.py's question
        related = [m in above or self.traits.household(dist, m, event.ts) for m in users.members]
        users.members[dist] = event.id
        # Only brand-new accounts: a card between established members is a household we may not know.
        stranger = bool(related) and not any(related) and self.traits.operator_of(dist, event.ts) is not None
        if not stranger or len(users.members) < 2 * users.alerted_at:
            return []
        users.alerted_at = len(users.members)
        members = list(users.members)
        return [make_alert(
            rule_id="mlm-fraud-shared-card", rule_name="Payment card shared by unrelated new accounts",
            category=CATEGORY, severity="high" if len(members) >= 4 else "medium", risk=55 + min(40, 8 * len(members)),
            entity=("distributor", self._owner(members, event.ts)), ts=event.ts, evidence=list(users.members.values()),
            summary=(f"New distributor {short(dist)} paid with a card {len(members) - 1} other distributors "
                     f"used before, none of its household or upline (users: {', '.join(short(m, 24) for m in members[:5])})."),
            tags=FAKE_ACCOUNT_TAGS, extra={"mlm_siem": {"members": members[:50]}},
        )]

    def process(self, event: Event) -> list[Alert]:
        action = event.flat.get("event.action")
        if action not in self.actions or event.flat.get("event.outcome") == "failure":
            return []
        if action == "login":
            if (who := event.flat.get("user.id")) and event.flat.get("event.dataset") == "mlm.auth":
                self.traits.learn(str(who)[:128], event)
            return []
        if action == "order_placed":
            return self._card(event)
        # Staff may change a distributor's bank: then the account acted upon is the target.
        dist = text(event, "mlm.target.id") if action == "bank_account_changed" else None
        dist, bank = dist or distributor_of(event), text(event, "mlm.bank.fingerprint")
        if dist:
            self.traits.learn(dist, event)  # an enrollment names the sponsor, with or without a bank
        if not dist or not bank:
            return []
        previous = text(event, "mlm.bank.previous_fingerprint")
        old = self.banks.get(previous, event.ts) if previous and previous != bank else None
        if old is not None:
            old.members.pop(dist, None)  # the account moved away: it no longer shares the old bank
        holders = self.banks.setdefault(bank, event.ts, Holders)
        if dist in holders.members or len(holders.members) >= MAX_MEMBERS:
            return []
        related = [self.traits.household(dist, m, event.ts) for m in holders.members]
        # Only choosing an account makes a stranger (a payout to one's own account someone joined does
        # not); a holder paid out to an account their household already holds is family either way.
        strangers, family = action in JOINS and not all(related), bool(related) and all(related)
        holders.members[dist] = event.id
        size = len(holders.members)
        # A household joining its own account (a spouse, a grown child enrolled by a parent) stays
        # quiet up to FAMILY; a stranger joining alerts at once; any account beyond that alerts.
        if (size <= HOUSEHOLD and not strangers) or (family and size <= FAMILY) or size < 2 * holders.alerted_at:
            return []
        holders.alerted_at = size
        return [self._alert(dist, holders, event, strangers)]

    def _uplines(self, dist: str, now: float, depth: int = 5) -> set[str]:
        """The sponsors above `dist` whose enrollments were seen, nearest `depth` levels."""
        found: set[str] = set()
        node = self.traits.sponsor_of(dist, now)
        while node and node not in found and len(found) < depth:
            found.add(node)
            node = self.traits.sponsor_of(node, now)
        return found

    def _owner(self, members: list[str], now: float) -> str:
        """Whom the alert names, the same for every alert on one account (one incident): the
        operator who brought in over half of the holders (recent recruits, through their sponsor
        chain: a ring), else the first holder."""
        operators = Counter(o for m in members if (o := self.traits.operator_of(m, now)) and o not in members)
        top = operators.most_common(1)
        return top[0][0] if top and 2 * top[0][1] > len(members) else members[0]

    def _alert(self, dist: str, holders: Holders, event: Event, strangers: bool) -> Alert:
        members = list(holders.members)
        size = len(members)
        why = "a stranger's" if strangers and size <= HOUSEHOLD else f"{size - 1} other distributors'"
        return make_alert(
            rule_id="mlm-fraud-shared-bank", rule_name="Bank account shared by many distributors",
            category=CATEGORY, severity="high" if size >= 5 else "medium", risk=50 + min(45, 8 * size),
            entity=("distributor", self._owner(members, event.ts)), ts=event.ts,
            evidence=list(holders.members.values()),
            summary=(f"Distributor {short(dist)} pointed payouts at {why} bank account "
                     f"(holders: {', '.join(short(m, 24) for m in members[:5])})."),
            tags=FAKE_ACCOUNT_TAGS, extra={"mlm_siem": {"members": members[:50]}},
        )
