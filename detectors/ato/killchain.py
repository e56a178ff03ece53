"""The MLM takeover kill chain: suspicious login -> contact or bank change -> payout request.

Each step alone is everyday business (people travel, change banks, request payouts); the three in
one account within hours is how stolen accounts are cashed out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import make_alert, short
from detectors.anomaly.state import BoundedMap, Suppressor

CHAIN_WINDOW = 6 * 3600.0  # cash-out follows the break-in within hours
# After a stranger's login (new country and device: it alerted) the thief may wait a day before
# changing the bank, hoping the owner does not look: that chain is followed longer.
STRANGER_WINDOW = 24 * 3600.0
CONTACT = {"email_changed", "phone_changed", "mfa_disabled", "password_changed"}
MONEY = {"bank_account_changed", "payout_method_changed"}
STRANGER = 60  # login risk at which even a contact change (locking the owner out) alerts
# The recovery-flow takeover: a password reset, a login on a device never seen for the account, and
# the mailbox or second factor taken within half an hour. A member on a new phone resets too, but
# keeps their e-mail and MFA (a new number is theirs to update: phone_changed does not count here).
RECOVERY_WINDOW = 1800.0
RECOVERY_TAKES = {"email_changed", "mfa_disabled"}
TAGS = ["attack.initial_access", "attack.t1078", "attack.persistence", "attack.t1098",
        "attack.impact", "attack.t1657"]


@dataclass(slots=True)
class Chain:
    login_ts: float
    login_id: str
    reasons: list[str]
    risk: int
    horizon: float
    changes: list[tuple[float, str, str]] = field(default_factory=list)  # (ts, event id, action)


class KillChain:
    """Follows each user from a suspicious login to account changes and a payout request."""

    def __init__(self) -> None:
        self.chains: BoundedMap[str, Chain] = BoundedMap(200_000, STRANGER_WINDOW)
        self.suppress = Suppressor(CHAIN_WINDOW)  # per user and step: one change alert, one payout alert

    def suspicious_login(self, user: str, event: Event, reasons: list[str], risk: int,
                         stranger: bool = False) -> None:
        """Start (or restart) the chain for `user` at this login (a stranger's is followed longer)."""
        before = self.chains.get(user, event.ts)
        if before is not None and before.horizon > CHAIN_WINDOW and event.ts - before.login_ts <= before.horizon \
                and not stranger:
            return  # a milder login does not cut short the watch on a stranger's
        horizon = STRANGER_WINDOW if stranger else CHAIN_WINDOW
        self.chains.put(user, event.ts, Chain(event.ts, event.id, reasons, risk, horizon))

    def process(self, event: Event) -> list[Alert]:
        action = event.flat.get("event.action")
        if action in CONTACT or action in MONEY:
            return self._change(event, str(action))
        if action == "payout_requested" and event.flat.get("event.dataset") == "mlm.commerce":
            return self._payout(event)
        return []

    def _change(self, event: Event, action: str) -> list[Alert]:
        user = event.flat.get("user.id")
        target = event.flat.get("mlm.target.id")
        if not user or (target and target != user) or event.flat.get("event.outcome") == "failure":
            return []  # staff acting on another account is not the account owner's session
        chain = self.chains.get(str(user), event.ts)
        if chain is None or event.ts - chain.login_ts > chain.horizon:
            return []
        if len(chain.changes) < 10:
            chain.changes.append((event.ts, event.id, action))
        if action not in MONEY and chain.risk < STRANGER and not _recovery_takeover(chain, action, event.ts):
            return []  # a traveller updating a phone number: watch on, alert only on money
        if not self.suppress.allow(("change", user), event.ts):
            return []
        return [self._alert(str(user), chain, event, "high")]

    def _payout(self, event: Event) -> list[Alert]:
        user = event.flat.get("mlm.distributor.id") or event.flat.get("user.id")
        chain = self.chains.get(str(user), event.ts) if user else None
        if chain is None or not chain.changes or event.ts - chain.login_ts > chain.horizon:
            return []
        if not self.suppress.allow(("payout", user), event.ts):
            return []
        return [self._alert(str(user), chain, event, "critical")]

    def _alert(self, user: str, chain: Chain, event: Event, severity: str) -> Alert:
        changes = ", ".join(dict.fromkeys(a for _, _, a in chain.changes))
        minutes = (event.ts - chain.login_ts) / 60
        return make_alert(
            rule_id=f"mlm-ato-kill-chain-{'payout' if severity == 'critical' else 'change'}",
            rule_name="Account takeover kill chain", category="account_takeover", severity=severity,
            risk=95 if severity == "critical" else 80, entity=("user", user), ts=event.ts,
            evidence=[chain.login_id, *(eid for _, eid, _ in chain.changes), event.id],
            summary=(f"User {short(user)} logged in suspiciously ({', '.join(chain.reasons)}), then "
                     f"{changes}{' and requested a payout' if severity == 'critical' else ''} "
                     f"within {minutes:,.0f} minutes."),
            tags=TAGS,
        )


def _recovery_takeover(chain: Chain, action: str, ts: float) -> bool:
    """A reset, a new device, then the mailbox or second factor taken soon after: see RECOVERY_WINDOW."""
    return action in RECOVERY_TAKES and ts - chain.login_ts <= RECOVERY_WINDOW and \
        "password reset first" in chain.reasons and "new_device" in chain.reasons
