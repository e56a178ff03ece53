"""Per-source-IP aggregation: the first attempt of each class alerts, a scanner alerts once per window.

Later payloads from a source already alerted on are not dropped: they collect as evidence and go out
in one roll-up alert per 100 (and when the window closes or the stream goes idle), so every payload an
attacker sent is on record in some alert while a scan of thousands stays a few dozen alerts.
State is keyed by source IP, advances on event time only, and is bounded (oldest IPs evicted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.alert import Alert
from core.event import Event
from detectors.injection.analyzer import LONE, Finding

WINDOW_SECONDS = 600.0  # one attack session; re-alert for the same IP and class after it ends
SCANNER_ATTEMPTS = 20  # a human probing by hand rarely sends 20 payloads in 10 minutes; tools do
SCANNER_CLASSES = 3  # three distinct payload families from one source is a fuzzer's signature
# Distinct weak probes (probes.py) from one source that make a scanner: a person sends a stray
# quote or keyword once or twice; a wordlist walk sends dozens of different ones in minutes.
PROBE_SCANNER = 12
PROBES_AFTER_ATTEMPT = 5  # fewer suffice from a source that already sent a clear payload: intent is shown
MAX_PROBES = PROBE_SCANNER  # past the scanner threshold more distinct values change nothing: memory stays bounded
MAX_IPS = 50_000
MAX_EVIDENCE = 100
# An idle flush sends a partial roll-up only with this many payloads or this much event time since the
# last alert for the source, so a slow attacker on a quiet bus gives a few alerts per window, not one each.
FLUSH_MIN_EVIDENCE = 10
FLUSH_MIN_SECONDS = 60.0

CLASS_INFO: dict[str, tuple[str, str, int, tuple[str, ...]]] = {
    # class: (name, severity, risk, ATT&CK tags)
    "sqli": ("SQL injection", "high", 70, ("attack.t1190", "attack.initial_access")),
    "xss": ("cross-site scripting", "medium", 55, ("attack.t1189", "attack.t1059.007")),
    "traversal": ("path traversal", "high", 65, ("attack.t1190", "attack.t1083")),
    "command": ("OS command injection", "high", 80, ("attack.t1190", "attack.t1059")),
    "ssti": ("server-side template injection", "high", 75, ("attack.t1190", "attack.t1059")),
    "nosql": ("NoSQL injection", "high", 70, ("attack.t1190",)),
}
LONE_RISK = 35  # a lone probe (a bare quote-and-word, '--', '|'): worth a look, not a page
SCANNER_TOOLS = ("sqlmap", "nikto", "nuclei", "acunetix", "wfuzz", "ffuf", "gobuster", "dirbuster",
                 "burp", "zap", "commix", "tplmap", "nmap", "masscan", "havij", "xsstrike", "dalfox")


@dataclass(slots=True)
class _IpState:
    start: float
    attempts: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    alerted: set[str] = field(default_factory=set)
    alerted_low: set[str] = field(default_factory=set)  # classes alerted on only by a lone probe so far
    scanner_alerted: bool = False
    event_ids: list[str] = field(default_factory=list)
    probes: set[int] = field(default_factory=set)  # hashes of distinct probe values (in-process only)
    pending: list[str] = field(default_factory=list)  # evidence not yet named by any alert
    pending_at: str = ""  # @timestamp of the newest pending event
    pending_ts: float = 0.0
    last_alert_ts: float = float("-inf")


def scanner_tool(user_agent: str) -> str | None:
    """The name of a known attack tool in a user agent, if any (a hint, never required)."""
    lowered = user_agent.lower()
    return next((tool for tool in SCANNER_TOOLS if tool in lowered), None)


class Aggregator:
    """Turns per-event findings into few alerts: one per IP and class, one per scanner, per window."""

    def __init__(self, window: float = WINDOW_SECONDS, scanner_attempts: int = SCANNER_ATTEMPTS) -> None:
        self.window = window
        self.scanner_attempts = scanner_attempts
        self._ips: dict[str, _IpState] = {}

    def add(self, event: Event, findings: list[Finding]) -> list[Alert]:
        """Record one event's findings; return the alerts it completes."""
        ip = str(event.flat.get("source.ip") or "unknown")
        alerts: list[Alert] = []
        state = self._state(ip, event.ts, alerts)
        strong = [f for f in findings if not f.weak]
        if not strong and not state.scanner_alerted and not self._new_probe(state, findings):
            return alerts  # a probe this source already sent: nothing new to count or show
        state.event_ids.append(event.id)
        if len(state.event_ids) > MAX_EVIDENCE:
            del state.event_ids[: len(state.event_ids) - MAX_EVIDENCE]
        if strong:
            state.attempts += 1
        shown = False
        for finding in strong:
            state.classes[finding.cls] = state.classes.get(finding.cls, 0) + 1
            if self._first_of_its_kind(state, finding):
                alerts.append(self._attempt_alert(event, ip, finding))
                shown = True
        if not state.scanner_alerted and self._is_scanner(state):
            state.scanner_alerted = True
            alerts.append(self._scanner_alert(event, ip, state))
            state.pending.clear()  # the scanner alert names the recent evidence
        elif not shown and len(state.pending) < MAX_EVIDENCE:
            state.pending.append(event.id)
            state.pending_at, state.pending_ts = event.timestamp, event.ts
            if len(state.pending) >= MAX_EVIDENCE and self._has_alerted(state):
                alerts.append(self._rollup_alert(ip, state))
        if alerts:
            state.last_alert_ts = event.ts
        return alerts

    def flush(self) -> list[Alert]:
        """Roll-ups of evidence held for sources already alerted on (end of a replay, idle bus)."""
        alerts = []
        for ip, state in self._ips.items():
            if state.pending and self._has_alerted(state) and (
                    len(state.pending) >= FLUSH_MIN_EVIDENCE
                    or state.pending_ts - state.last_alert_ts >= FLUSH_MIN_SECONDS):
                alerts.append(self._rollup_alert(ip, state))
                state.last_alert_ts = state.pending_ts
        return alerts

    @staticmethod
    def _first_of_its_kind(state: _IpState, finding: Finding) -> bool:
        """True for the first finding of a class from this source, and for the first clear payload
        after only lone probes of that class (the analyst then sees the real attempt at its severity)."""
        lone = finding.engine == LONE
        if finding.cls not in state.alerted:
            state.alerted.add(finding.cls)
            if lone:
                state.alerted_low.add(finding.cls)
            return True
        if not lone and finding.cls in state.alerted_low:
            state.alerted_low.discard(finding.cls)
            return True
        return False

    @staticmethod
    def _has_alerted(state: _IpState) -> bool:
        return bool(state.alerted) or state.scanner_alerted

    @staticmethod
    def _new_probe(state: _IpState, findings: list[Finding]) -> bool:
        """Remember the event's probe values; True when one of them is new for this source."""
        new = False
        for finding in findings:
            key = hash(finding.sample)
            if key not in state.probes and len(state.probes) < MAX_PROBES:
                state.probes.add(key)
                new = True
        return new

    def _is_scanner(self, state: _IpState) -> bool:
        """Many attempts, many payload families, or a walk through many distinct probes."""
        probes = len(state.probes)
        return (state.attempts >= self.scanner_attempts or len(state.classes) >= SCANNER_CLASSES
                or probes >= PROBE_SCANNER or state.attempts >= 1 and probes >= PROBES_AFTER_ATTEMPT)

    def _state(self, ip: str, ts: float, alerts: list[Alert]) -> _IpState:
        """The source's state in the current window; a closed window's held evidence goes out first."""
        state = self._ips.get(ip)
        if state is None or ts - state.start > self.window:
            if state is not None and state.pending and self._has_alerted(state):
                alerts.append(self._rollup_alert(ip, state))
            self._ips.pop(ip, None)  # re-insert so dict order stays oldest-first for eviction
            state = self._ips[ip] = _IpState(start=ts)
            while len(self._ips) > MAX_IPS:
                del self._ips[next(iter(self._ips))]
        return state

    def _attempt_alert(self, event: Event, ip: str, finding: Finding) -> Alert:
        name, severity, risk, tags = CLASS_INFO[finding.cls]
        kind = "attempt"
        if finding.engine == LONE:  # a lone metacharacter or keyword probe: intent, not yet a payload
            severity, risk, kind = "low", LONE_RISK, "probe"
        tool = scanner_tool(str(event.flat.get("user_agent.original") or ""))
        status = event.flat.get("http.response.status_code")
        if isinstance(status, int) and status < 400:
            risk = min(100, risk + 10)  # the app accepted the request: the payload reached the code
        return Alert(
            rule_id=f"injection.{finding.cls}", rule_name=f"{name[0].upper()}{name[1:]} {kind}",
            category="injection", severity=severity, risk_score=risk, entity_type="ip",
            entity_value=ip, timestamp=event.timestamp, event_ids=[event.id],
            tags=list(tags) + (["attack.t1595.002"] if tool else []),
            summary=f"{name[0].upper()}{name[1:]} {'probe' if kind == 'probe' else 'payload'} from {ip} in "
                    f"{finding.location}"
                    + (f" (user agent of {tool})." if tool else "."),
            extra=_extra(event, finding),
        )

    def _scanner_alert(self, event: Event, ip: str, state: _IpState) -> Alert:
        classes = sorted(state.classes)
        many = len(classes) >= SCANNER_CLASSES
        tool = scanner_tool(str(event.flat.get("user_agent.original") or ""))
        probes = len(state.probes)
        what = f"{state.attempts} injection payloads ({', '.join(classes)})" if classes else "no clear payload"
        severity, risk = ("critical", 90) if many else ("high", 80) if classes else ("medium", 60)
        return Alert(
            rule_id="injection.scanner", rule_name="Automated injection scanning",
            category="injection", severity=severity, risk_score=risk, entity_type="ip", entity_value=ip,
            timestamp=event.timestamp, event_ids=list(state.event_ids),
            tags=["attack.t1190", "attack.t1595.002"],
            summary=(f"{ip} sent {what}" + (f" and {probes} distinct probe values" if probes else "")
                     + f" within {int(event.ts - state.start)} s" + (f", user agent of {tool}." if tool else ".")),
            extra={"injection": {"classes": state.classes.copy(), "attempts": state.attempts,
                                 **({"probes": probes} if probes else {})}},
        )


    @staticmethod
    def _rollup_alert(ip: str, state: _IpState) -> Alert:
        """The payloads held since the last alert for this source, named as evidence (emptied here)."""
        ids, state.pending = state.pending, []
        classes = sorted(state.classes)
        what = ", ".join(classes) if classes else "probe values"
        return Alert(
            rule_id="injection.continued", rule_name="Injection attack continues",
            category="injection", severity="high" if classes else "medium", risk_score=70 if classes else 50,
            entity_type="ip", entity_value=ip, timestamp=state.pending_at, event_ids=ids,
            tags=["attack.t1190"],
            summary=f"{ip} sent {len(ids)} more injection request{'s' if len(ids) > 1 else ''} ({what})"
                    " after it was alerted on.",
            extra={"injection": {"classes": state.classes.copy(), "attempts": state.attempts}},
        )

def _extra(event: Event, finding: Finding) -> dict[str, Any]:
    """Context for the analyst; the sample is attacker-controlled text, bounded in length."""
    return {"injection": {"class": finding.cls, "location": finding.location, "engine": finding.engine,
                          "sample": finding.sample},
            "url": {"path": str(event.flat.get("url.path") or "")[:200]}}
