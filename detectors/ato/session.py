"""Session hijack: one session id used from a new address AND a new browser mid-session.

A phone moving from Wi-Fi to mobile data changes address but not browser; a browser update
changes the agent but not the address. A stolen session cookie replayed elsewhere changes both.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.alert import Alert
from core.event import Event
from core.schema import ACTIONS
from detectors.anomaly.alerts import make_alert, network_of, short
from detectors.anomaly.state import BoundedMap
from detectors.ato.profiles import device_of

KNOWN_ACTIONS = frozenset(a for actions in ACTIONS.values() for a in actions) | {"security_report"}
SESSION_TTL = 24 * 3600.0  # sessions idle this long have expired in the app too
TOUCH_EVERY = 60.0  # a session's idle clock is refreshed once a minute, not on every request
ENDINGS = ("logout", "session_revoked")
# The password step is not a use of the session: the session is judged from the requests that
# carry it (the owner's first one comes from where they logged in). Sessions reach no other step.
NOT_USES = frozenset({"login", *ENDINGS})


@dataclass(slots=True)
class Session:
    ip: str
    agent: str | None
    device: str | None
    user: str | None
    first_id: str
    alerted: bool = False


class SessionHijack:
    """Alerts once per session when its id shows up from another address and another client."""

    name = "ato.session_hijack"
    # Every action that can carry a session, less NOT_USES: the engine then skips a tenth of the stream.
    actions = KNOWN_ACTIONS - NOT_USES

    def __init__(self) -> None:
        self.sessions: BoundedMap[str, Session] = BoundedMap(500_000, SESSION_TTL)

    def process(self, event: Event) -> list[Alert]:
        # Every request of every session comes here: the common case (a session seen before, from
        # its first address) is decided with two field reads and one lookup.
        flat = event.flat
        sid = flat.get("mlm.session.id")
        if not sid:
            return []
        ip = flat.get("source.ip")
        if not ip:
            return []
        if sid.__class__ is not str or len(sid) > 256:
            sid = str(sid)[:256]
        seen = self.sessions.get_lazily(sid, event.ts, TOUCH_EVERY)
        if seen is not None and (seen.alerted or ip == seen.ip):
            return []
        if flat.get("event.action") in NOT_USES:
            return []
        if seen is None:
            self.sessions.put(sid, event.ts, Session(ip, flat.get("user_agent.original"), device_of(event),
                                                     flat.get("user.id"), event.id))
            return []
        if network_of(ip) == network_of(seen.ip):
            return []
        agent, device = flat.get("user_agent.original"), device_of(event)
        new_client = (device is not None and seen.device is not None and device != seen.device) or \
            (agent is not None and seen.agent is not None and agent != seen.agent)
        if not new_client:
            return []
        seen.alerted = True
        user = str(flat.get("user.id") or seen.user or "")
        entity = ("user", user) if user else ("session", sid)
        return [make_alert(
            rule_id="mlm-ato-session-hijack", rule_name="Session reused from another address and client",
            category="account_takeover", severity="high", risk=85, entity=entity, ts=event.ts,
            evidence=[seen.first_id, event.id],
            summary=(f"Session of {short(user or 'an unknown user')} first used from {short(seen.ip)} "
                     f"reappeared from {short(ip)} with a different browser or device."),
            tags=["attack.credential_access", "attack.t1539", "attack.lateral_movement", "attack.t1550.004"],
            extra={"mlm_siem": {"session": sid, "first_ip": seen.ip, "new_ip": ip}},
        )]
