"""Event writer of the alternative world, shaped like the MLM app's own emitter (EVENTS.md).

Like the app, the `mlm.auth`/`mlm.audit`/`mlm.commerce` event of a request is emitted while it is
handled and the `mlm.http` event after the response, a few milliseconds later.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from core.event import format_timestamp

CATEGORY = {
    "mlm.http": (["web"], ["access"]),
    "mlm.auth": (["authentication"], ["info"]),
    "mlm.audit": (["iam"], ["change"]),
    "mlm.commerce": (["process"], ["info"]),
}
AUTH_TYPES = {"login": ["start"], "mfa_verify": ["start"], "logout": ["end"], "session_revoked": ["end"]}
FORM = "application/x-www-form-urlencoded"


def _put(doc: dict[str, Any], dotted: str, value: Any) -> None:
    """Set a dotted field in a nested document (the wire form of EVENTS.md)."""
    *parents, last = dotted.split(".")
    for part in parents:
        doc = doc.setdefault(part, {})
    doc[last] = value


@dataclass
class Who:
    """The client behind a request: address, browser, device cookie, and the signed-in account."""

    ip: str
    agent: str
    device: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    session: str | None = None

    def fields(self) -> dict[str, Any]:
        pairs = {
            "source.ip": self.ip,
            "user_agent.original": self.agent,
            "mlm.device.id": self.device,
            "user.id": self.user_id,
            "user.name": self.user_name,
            "mlm.session.id": self.session,
        }
        return {k: v for k, v in pairs.items() if v}

    def anonymous(self) -> Who:
        return replace(self, user_id=None, user_name=None, session=None)


@dataclass
class Writer:
    """Collects the events of one world with unique ids that depend only on the seed."""

    seed: int
    rng: random.Random = field(init=False)
    events: list[dict[str, Any]] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)  # entity -> hard-negative kind seen in passing

    def __post_init__(self) -> None:
        self.rng = random.Random(f"alt-ids-{self.seed}")

    def token(self, bits: int = 128) -> str:
        """A random hex id (session hashes, device cookies, order ids) from the writer's own stream."""
        return f"{self.rng.getrandbits(bits):0{bits // 4}x}"

    def event(
        self,
        ts: float,
        dataset: str,
        action: str,
        who: Who | None = None,
        outcome: str = "success",
        **fields: Any,
    ) -> str:
        """One event; `fields` use `__` for dots; None values are left out."""
        category, types = CATEGORY[dataset]
        event_id = self.token()
        doc: dict[str, Any] = {
            "@timestamp": format_timestamp(datetime.fromtimestamp(ts, tz=UTC)),
            "event": {
                "id": event_id,
                "kind": "event",
                "dataset": dataset,
                "action": action,
                "category": list(category),
                "outcome": outcome,
                "type": list(AUTH_TYPES.get(action, types) if dataset == "mlm.auth" else types),
            },
            "service": {"name": "mlm_app"},
        }
        pairs = list(who.fields().items()) if who is not None else []
        pairs += [(k.replace("__", "."), v) for k, v in fields.items() if v is not None]
        for name, value in pairs:
            _put(doc, name, value)
        self.events.append(doc)
        return event_id

    def hit(
        self,
        ts: float,
        who: Who,
        method: str,
        path: str,
        status: int = 200,
        *,
        query: str | None = None,
        body: str | None = None,
        mime: str | None = None,
        referrer: str | None = None,
        size: int | None = None,
    ) -> str:
        """The `mlm.http` event of one request."""
        fields: dict[str, Any] = {
            "http__request__method": method,
            "url__path": path,
            "url__query": query,
            "http__response__status_code": status,
            "event__duration": int(self.rng.lognormvariate(16, 0.8)),
            "http__response__body__bytes": size if size is not None else self.rng.randint(900, 40_000),
            "http__request__referrer": referrer,
        }
        if body is not None:
            encoded = body.encode()
            fields.update(
                http__request__body__content=encoded[:4096].decode(errors="ignore"),
                http__request__body__bytes=len(encoded),
                http__request__mime_type=mime or FORM,
            )
        return self.event(
            ts, "mlm.http", "http_request", who, "failure" if status >= 400 else "success", **fields
        )

    def login(
        self,
        ts: float,
        who: Who,
        typed: str,
        user_id: str | None,
        ok: bool,
        *,
        reason: str = "bad_password",
        mfa: bool = False,
    ) -> float:
        """A password step (auth event, then its request); returns when the response was sent."""
        actor = replace(who, user_id=user_id, user_name=typed, session=None)
        if ok:
            self.event(ts, "mlm.auth", "login", actor, mlm__auth__mfa_required=mfa)
        else:
            self.event(
                ts,
                "mlm.auth",
                "login",
                replace(actor, user_id=user_id if reason != "unknown_user" else None),
                "failure",
                mlm__auth__failure_reason=reason,
            )
        body = f"csrf_token={self.token(64)}&username={quote_plus(typed)}&password=[REDACTED]"
        self.hit(
            ts + 0.04,
            who.anonymous(),
            "POST",
            "/login",
            303 if ok else 401,
            body=body,
            size=0 if ok else 2900,
        )
        return ts + 0.05
