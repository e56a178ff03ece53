"""Per-source-IP aggregation: the first attempt of each class alerts, a scanner alerts once per window.

State is keyed by source IP, advances on event time only, and is bounded (oldest IPs evicted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.alert import Alert
from core.event import Event
from detectors.injection.analyzer import Finding

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

CLASS_INFO: dict[str, tuple[str, str, int, tuple[str, ...]]] = {
    # class: (name, severity, risk, ATT&CK tags)
    "sqli": ("SQL injection", "high", 70, ("attack.t1190", "attack.initial_access")),
    "xss": ("cross-site scripting", "medium", 55, ("attack.t1189", "attack.t1059.007")),
    "traversal": ("path traversal", "high", 65, ("attack.t1190", "attack.t1083")),
    "command": ("OS command injection", "high", 80, ("attack.t1190", "attack.t1059")),
    "ssti": ("server-side template injection", "high", 75, ("attack.t1190", "attack.t1059")),
    "nosql": ("NoSQL injection", "high", 70, ("attack.t1190",)),
}
SCANNER_TOOLS = ("sqlmap", "nikto", "nuclei", "acunetix", "wfuzz", "ffuf", "gobuster", "dirbuster",
                 "burp", "zap", "commix", "tplmap", "nmap", "masscan", "havij", "xsstrike", "dalfox")


@dataclass(slots=True)
class _IpState:
    start: float
    attempts: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    alerted: set[str] = field(default_factory=set)
    scanner_alerted: bool = False
    event_ids: list[str] = field(default_factory=list)
    probes: set[int] = field(default_factory=set)  # hashes of distinct probe values (in-process only)


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
        state = self._state(ip, event.ts)
        strong = [f for f in findings if not f.weak]
        if not strong and not self._new_probe(state, findings):
            return []  # a probe this source already sent: nothing new to count or show
        state.event_ids.append(event.id)
        if len(state.event_ids) > MAX_EVIDENCE:
            del state.event_ids[: len(state.event_ids) - MAX_EVIDENCE]
        alerts: list[Alert] = []
        if strong:
            state.attempts += 1
        for finding in strong:
            state.classes[finding.cls] = state.classes.get(finding.cls, 0) + 1
            if finding.cls not in state.alerted:
                state.alerted.add(finding.cls)
                alerts.append(self._attempt_alert(event, ip, finding))
        if not state.scanner_alerted and self._is_scanner(state):
            state.scanner_alerted = True
            alerts.append(self._scanner_alert(event, ip, state))
        return alerts

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

    def _state(self, ip: str, ts: float) -> _IpState:
        state = self._ips.get(ip)
        if state is None or ts - state.start > self.window:
            self._ips.pop(ip, None)  # re-insert so dict order stays oldest-first for eviction
            state = self._ips[ip] = _IpState(start=ts)
            while len(self._ips) > MAX_IPS:
                del self._ips[next(iter(self._ips))]
        return state

    def _attempt_alert(self, event: Event, ip: str, finding: Finding) -> Alert:
        name, severity, risk, tags = CLASS_INFO[finding.cls]
        tool = scanner_tool(str(event.flat.get("user_agent.original") or ""))
        status = event.flat.get("http.response.status_code")
        if isinstance(status, int) and status < 400:
            risk = min(100, risk + 10)  # the app accepted the request: the payload reached the code
        return Alert(
            rule_id=f"injection.{finding.cls}", rule_name=f"{name[0].upper()}{name[1:]} attempt",
            category="injection", severity=severity, risk_score=risk, entity_type="ip",
            entity_value=ip, timestamp=event.timestamp, event_ids=[event.id],
            tags=list(tags) + (["attack.t1595.002"] if tool else []),
            summary=f"{name[0].upper()}{name[1:]} payload from {ip} in {finding.location}"
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


def _extra(event: Event, finding: Finding) -> dict[str, Any]:
    """Context for the analyst; the sample is attacker-controlled text, bounded in length."""
    return {"injection": {"class": finding.cls, "location": finding.location, "engine": finding.engine,
                          "sample": finding.sample},
            "url": {"path": str(event.flat.get("url.path") or "")[:200]}}
