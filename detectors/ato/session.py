"""Session hijack: one session id used from a new address AND a new browser mid-session.

A phone moving from Wi-Fi to mobile data changes address but not browser; a browser update
changes the agent but not the address. A stolen session cookie replayed elsewhere changes both.
"""

from __future__ import annotations

from core.alert import Alert
from core.event import Event
from core.schema import ACTIONS
from detectors.anomaly.alerts import make_alert, network_of, short
from detectors.ato.profiles import device_of

KNOWN_ACTIONS = frozenset(a for actions in ACTIONS.values() for a in actions) | {"security_report"}
SESSION_TTL = 24 * 3600.0  # sessions idle this long have expired in the app too
MAX_SESSIONS = 500_000
# Expired sessions are dropped when the table doubled since the last sweep (lookups check the ttl
# themselves): a sweep visits every session, so its cost per new session stays constant.
SWEEP_FLOOR = 4096
SID_CHARS = 256  # ids are hashes; anything longer is cut (bounded memory)
ENDINGS = ("logout", "session_revoked")
# The password step is not a use of the session: the session is judged from the requests that
# carry it (the owner's first one comes from where they logged in). Sessions reach no other step.
NOT_USES = frozenset({"login", *ENDINGS})


class Session:
    """Where a session was first used, and when it was last used (its idle clock)."""

    __slots__ = ("agent", "alerted", "device", "first_id", "ip", "last", "user")

    def __init__(self, ip: str, agent: str | None, device: str | None, user: str | None, first_id: str,
                 last: float) -> None:
        self.ip, self.agent, self.device, self.user, self.first_id = ip, agent, device, user, first_id
        self.alerted = False
        self.last = last


class SessionHijack:
    """Alerts once per session when its id shows up from another address and another client."""

    name = "ato.session_hijack"
    # Every action that can carry a session, less NOT_USES: the engine then skips a tenth of the stream.
    actions = KNOWN_ACTIONS - NOT_USES

    def __init__(self) -> None:
        # A plain dict, expired by sweeps (see SWEEP_FLOOR): touching a session is one attribute store.
        self.sessions: dict[str, Session] = {}
        self._sweep_size = SWEEP_FLOOR

    def process(self, event: Event) -> list[Alert]:
        # Every request of every session comes here: the common case (a live session seen before,
        # from its first address) is one dict lookup, two field reads and one store.
        flat = event.flat
        sid = flat.get("mlm.session.id")
        if not sid:
            return []
        # A validated event's id is a string; anything else (unhashable) is cut to one in _first.
        seen = self.sessions.get(sid) if sid.__class__ is str else None
        if seen is not None:
            ts = event.ts
            if ts - seen.last <= SESSION_TTL:
                if ts > seen.last:  # noqa: PLR1730 - max() is a call on every request
                    seen.last = ts
                if seen.alerted or flat.get("source.ip") == seen.ip:
                    return []
                return self._judge(event, sid, seen)
        return self._first(event, sid)

    def _first(self, event: Event, sid: object) -> list[Alert]:
        """An id not (or no longer) known: cut to size, looked up again, else remembered here."""
        flat = event.flat
        ip = flat.get("source.ip")
        if not ip or flat.get("event.action") in NOT_USES:
            return []
        sid = sid if sid.__class__ is str and len(sid) <= SID_CHARS else str(sid)[:SID_CHARS]  # type: ignore[attr-defined]
        ts = event.ts
        seen = self.sessions.get(sid)  # type: ignore[arg-type]
        if seen is not None and ts - seen.last <= SESSION_TTL:
            seen.last = max(seen.last, ts)
            return [] if seen.alerted or ip == seen.ip else self._judge(event, str(sid), seen)
        if len(self.sessions) >= min(self._sweep_size, MAX_SESSIONS):
            self._sweep(ts)
        self.sessions[str(sid)] = Session(ip, flat.get("user_agent.original"), device_of(event),
                                          flat.get("user.id"), event.id, ts)
        return []

    def _sweep(self, now: float) -> None:
        """Drop sessions idle past the ttl; at the cap, also the least recently used tenth."""
        horizon = now - SESSION_TTL
        if len(self.sessions) >= MAX_SESSIONS:
            lasts = sorted(s.last for s in self.sessions.values())
            horizon = max(horizon, lasts[len(lasts) // 10])
        self.sessions = {sid: s for sid, s in self.sessions.items() if s.last > horizon}
        self._sweep_size = max(SWEEP_FLOOR, 2 * len(self.sessions))

    def _judge(self, event: Event, sid: str, seen: Session) -> list[Alert]:
        """A known session from another address: an alert when the network and the client changed too."""
        flat = event.flat
        ip = flat.get("source.ip")
        if not ip or flat.get("event.action") in NOT_USES or network_of(ip) == network_of(seen.ip):
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
