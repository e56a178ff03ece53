"""Slow brute force against one account: failed passwords for it paced under the per-minute rules.

The Sigma correlation catches ten failures in five minutes; a patient guesser trying one password
a minute, or one every few minutes from rotating addresses, stays under it. This counts each
account's failures over three spans at once, whatever addresses they come from.
"""

from __future__ import annotations

from collections import deque

from core.alert import Alert
from core.event import Event
from detectors.anomaly.alerts import is_login, make_alert, short, user_key
from detectors.anomaly.state import BoundedMap, Suppressor
from detectors.ato.spraying import is_tool

DAY = 86_400.0
# (span seconds, failures): a person gives up or resets after a handful of tries; these counts
# are several lockouts' worth, which no forgetful owner reaches.
SPANS = ((900.0, 10), (3600.0, 15), (DAY, 30))
# A script or headless browser is nobody's forgetful owner: half the count suffices.
TOOL_SPAN = (900.0, 5)
KEEP = 100  # failures remembered per account: the evidence cap, and more than any span needs


def _tries() -> deque[tuple[float, str, str, bool]]:
    return deque(maxlen=KEEP)


class SlowBruteForce:
    """Alerts once per account per six hours when its failed logins reach any span's count."""

    name = "ato.brute_force"
    scope = "entity"  # one known account's failures; they carry its user.id (detectors/scope.py)
    datasets = frozenset({"mlm.auth"})
    actions = frozenset({"login"})

    def __init__(self) -> None:
        self.failures: BoundedMap[str, deque[tuple[float, str, str, bool]]] = BoundedMap(200_000, DAY)
        self.suppress = Suppressor(6 * 3600.0)

    def process(self, event: Event) -> list[Alert]:
        flat = event.flat
        # Names that do not exist are a combo list's, counted by the stuffing detector; the cheap
        # tests first: this runs for every login of the service.
        if flat.get("event.outcome") != "failure" or flat.get("mlm.auth.failure_reason") == "unknown_user" \
                or not is_login(event):
            return []
        account = user_key(event)
        if not account:
            return []
        tries = self.failures.setdefault(account, event.ts, _tries)
        tool = is_tool(str(flat.get("user_agent.original") or "")[:512])
        tries.append((event.ts, event.id, str(flat.get("source.ip") or ""), tool))
        span, need = TOOL_SPAN
        if len(tries) >= need and event.ts - tries[-need][0] <= span and all(t[3] for t in list(tries)[-need:]):
            return self._alert(account, tries, span, need, event)
        for span, need in SPANS:
            if len(tries) >= need and event.ts - tries[-need][0] <= span:
                return self._alert(account, tries, span, need, event)
        return []

    def _alert(self, account: str, tries: deque[tuple[float, str, str, bool]], span: float, need: int,
               event: Event) -> list[Alert]:
        if not self.suppress.allow(account, event.ts):
            return []
        recent = [t for t in tries if event.ts - t[0] <= span]
        ips = {t[2] for t in recent}
        minutes = (event.ts - recent[0][0]) / 60
        return [make_alert(
            rule_id="mlm-ato-brute-force", rule_name="Password guessing against one account",
            category="account_takeover", severity="high", risk=70 + min(20, len(recent) // 5),
            entity=("user", account), ts=event.ts, evidence=[t[1] for t in recent][-KEEP:],
            summary=(f"{len(recent)} failed logins for {short(account)} from {len(ips)} addresses "
                     f"within {minutes:,.0f} minutes."),
            tags=["attack.credential_access", "attack.t1110.001", "attack.t1110"],
            extra={"mlm_siem": {"failures": len(recent), "addresses": len(ips), "span_s": int(span)}},
        )]
