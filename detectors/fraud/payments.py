"""Bank accounts shared beyond a household.

Two people of one household may share a bank account; a third distributor on it is a sign of
one person collecting several accounts' commissions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import make_alert, short
from detectors.anomaly.state import BoundedMap
from detectors.fraud.common import CATEGORY, FAKE_ACCOUNT_TAGS, distributor_of, text

DAY = 86_400.0
HOUSEHOLD = 2          # people who may legitimately share one bank account
MAX_MEMBERS = 100
BANK_ACTIONS = ("distributor_enrolled", "bank_account_changed", "payout_requested", "payout_sent")


@dataclass(slots=True)
class Holders:
    members: dict[str, str] = field(default_factory=dict)  # distributor -> evidence event id
    alerted_at: int = 0


class SharedBankAccounts:
    """Alerts when one bank fingerprint serves more distributors than a household, again on doubling."""

    name = "fraud.shared_bank_accounts"
    actions = frozenset(BANK_ACTIONS)  # the engine skips every other event (process ignores them)

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
