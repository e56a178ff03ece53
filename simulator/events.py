"""Event builders for the simulated world: every event exactly in the EVENTS.md shape."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from core.event import format_timestamp, nest

CATEGORY = {
    "mlm.http": (["web"], ["access"]),
    "mlm.auth": (["authentication"], ["start"]),
    "mlm.audit": (["iam"], ["change"]),
    "mlm.commerce": (["process"], ["info"]),
}


def fingerprint(kind: str, value: str) -> str:
    """Stand-in for the app's keyed fingerprints: stable per value, not reversible."""
    return hashlib.sha256(f"sim-key|{kind}|{value}".encode()).hexdigest()[:32]


@dataclass
class Client:
    """Who is making requests: address, browser, device cookie and (once logged in) account/session."""

    ip: str
    user_agent: str
    device_id: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    session_id: str | None = None

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source.ip": self.ip, "user_agent.original": self.user_agent}
        if self.device_id:
            out["mlm.device.id"] = self.device_id
        if self.user_id:
            out["user.id"] = self.user_id
        if self.user_name:
            out["user.name"] = self.user_name
        if self.session_id:
            out["mlm.session.id"] = self.session_id
        return out


@dataclass
class Emitter:
    """Collects events of one world; ids are unique and deterministic for a seed."""

    seed: int
    events: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    def emit(self, ts: float, dataset: str, action: str, outcome: str, client: Client | None = None,
             **fields: Any) -> str:
        self.count += 1
        event_id = f"sim{self.seed}-{self.count:09d}"
        category, kind = CATEGORY[dataset]
        flat: dict[str, Any] = {
            "@timestamp": format_timestamp(datetime.fromtimestamp(ts, tz=timezone.utc)),
            "event.id": event_id, "event.kind": "event", "event.dataset": dataset,
            "event.action": action, "event.category": category, "event.type": kind,
            "event.outcome": outcome, "service.name": "mlm_app",
        }
        if client is not None:
            flat.update(client.fields())
        flat.update({k.replace("__", "."): v for k, v in fields.items() if v is not None})
        self.events.append(nest(flat))
        return event_id

    def http(self, ts: float, client: Client, method: str, path: str, status: int = 200,
             query: str | None = None, body: str | None = None, referrer: str | None = None,
             rng: random.Random | None = None) -> str:
        duration = int((rng.uniform(2, 60) if rng else 10) * 1_000_000)
        fields: dict[str, Any] = {
            "http.request.method": method, "url.path": path, "url.query": query,
            "http.response.status_code": status, "http.response.body.bytes": 512 + len(path) * 40,
            "event.duration": duration, "http.request.referrer": referrer,
        }
        if body is not None:
            fields.update({"http.request.body.content": body[:4096], "http.request.body.bytes": len(body),
                           "http.request.mime_type": "application/x-www-form-urlencoded"})
        outcome = "failure" if status >= 400 else "success"
        return self.emit(ts, "mlm.http", "http_request", outcome, client, **fields)

    def login(self, ts: float, client: Client, name: str, user_id: str | None, ok: bool,
              reason: str | None = None, mfa: bool = False) -> list[str]:
        """The HTTP request and the auth event of one password step."""
        body = f"username={name}&password=%5BREDACTED%5D"
        ids = [self.http(ts, client, "POST", "/login", 303 if ok else 401, body=body)]
        who = Client(client.ip, client.user_agent, client.device_id, user_id, name, client.session_id)
        fields = {"mlm.auth.mfa_required": mfa} if ok else {"mlm.auth.failure_reason": reason or "bad_password"}
        ids.append(self.emit(ts + 0.01, "mlm.auth", "login", "success" if ok else "failure", who, **fields))
        return ids
