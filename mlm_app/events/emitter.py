"""Build EVENTS.md events from app actions and hand them to the sinks (shipper, test listeners)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from core.event import format_timestamp, nest
from mlm_app.db import utcnow

log = logging.getLogger(__name__)
Sink = Callable[[dict[str, Any]], None]

_CATEGORY = {
    "mlm.http": (["web"], ["access"]),
    "mlm.auth": (["authentication"], ["info"]),
    "mlm.audit": (["iam"], ["change"]),
    "mlm.commerce": (["process"], ["info"]),
}
_AUTH_TYPES = {"login": ["start"], "mfa_verify": ["start"], "logout": ["end"], "session_revoked": ["end"]}
# Last path segments that may never leave the app, whatever a caller passes in `fields`.
_SECRET_NAME = re.compile(
    r"(^|_)(password|passwd|secret|token|totp|otp|code|cvv|cvc|pan|ssn|tax_id)($|_)|"
    r"^(card_number|account_number|bank_account|recovery_codes?)$",
    re.IGNORECASE,
)
_ALLOWED_NAMES = {"status_code", "failure_reason", "lock_reason", "method", "mime_type"}


def is_secret_name(name: str) -> bool:
    """True when a field or form name looks like it carries a secret."""
    last = name.rsplit(".", 1)[-1]
    return last not in _ALLOWED_NAMES and bool(_SECRET_NAME.search(last))


class Emitter:
    """Turns (dataset, action, fields) into a complete event and passes it to every sink."""

    def __init__(self, sinks: list[Sink] | None = None, service_name: str = "mlm_app",
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.sinks: list[Sink] = list(sinks or [])
        self.service_name = service_name
        self.clock = clock

    def emit(self, dataset: str, action: str, *, outcome: str = "success", request: Any = None,
             fields: dict[str, Any] | None = None) -> dict[str, Any]:
        """Build one event (flat names in `fields` override the defaults) and deliver it; return it."""
        flat = self._base(dataset, action, outcome)
        if request is not None:
            flat.update(request_context(request))
        for name, value in (fields or {}).items():
            if value is None:
                flat.pop(name, None)
            elif is_secret_name(name):
                log.warning("dropped a secret-looking field %r from %s/%s", name, dataset, action)
            else:
                flat[name] = value
        doc = nest(flat)
        for sink in self.sinks:
            try:
                sink(doc)
            except Exception:  # a broken sink must never break the request that logged
                log.exception("event sink failed")
        return doc

    def _base(self, dataset: str, action: str, outcome: str) -> dict[str, Any]:
        category, types = _CATEGORY.get(dataset, (["process"], ["info"]))
        if dataset == "mlm.auth":
            types = _AUTH_TYPES.get(action, types)
        return {
            "@timestamp": format_timestamp(self.clock()),
            "event.id": uuid.uuid4().hex,
            "event.kind": "event",
            "event.dataset": dataset,
            "event.action": action,
            "event.category": category,
            "event.type": types,
            "event.outcome": outcome,
            "service.name": self.service_name,
        }


def request_context(request: Any) -> dict[str, Any]:
    """Client fields of a request, as resolved by the security middleware (`request.state`)."""
    state = request.state
    ctx: dict[str, Any] = {}
    ip = getattr(state, "client_ip", None) or (request.client.host if request.client else None)
    if ip:
        ctx["source.ip"] = ip
    agent = request.headers.get("user-agent")
    if agent:
        ctx["user_agent.original"] = agent[:1024]
    device = getattr(state, "device_id", None)
    # Only a device cookie the client presented is "known" (EVENTS.md); one issued by this very
    # response says nothing about the client (a cookie-less flood would look like real browsers).
    if device and getattr(state, "device_presented", True):
        ctx["mlm.device.id"] = device
    session_hash = getattr(state, "session_hash", None)
    if session_hash:
        ctx["mlm.session.id"] = session_hash
    user = getattr(state, "user", None)
    if user is not None:
        ctx["user.id"] = user.id
        ctx["user.name"] = user.username
    return ctx


def emit(source: Any, dataset: str, action: str, *, outcome: str = "success",
         fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """Emit one event. `source` is the current Request (client context is added) or an Emitter."""
    if isinstance(source, Emitter):
        return source.emit(dataset, action, outcome=outcome, fields=fields)
    emitter: Emitter = source.app.state.emitter
    return emitter.emit(dataset, action, outcome=outcome, request=source, fields=fields)
