"""The audit log of analyst actions: kept in our database and exported to the store as mlm.audit events."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from ipaddress import ip_address
from typing import Any

from sqlalchemy import select

from core.event import Event, EventError, format_timestamp
from dashboard.analysts.schemas import AuditView, Principal
from dashboard.context import AppContext
from dashboard.models import AuditEntry

log = logging.getLogger(__name__)


def record(
    ctx: AppContext,
    actor: str,
    action: str,
    target: str = "",
    detail: str = "",
    ip: str = "",
    user_agent: str = "",
    outcome: str = "success",
) -> None:
    """Keep one audit entry (who, what, when, from where) and export it as an event."""
    now = ctx.clock()
    with ctx.db.session() as db:
        db.add(
            AuditEntry(
                ts=now,
                actor=actor[:64],
                action=action[:64],
                target=target[:256],
                detail=detail[:2000],
                ip=ip[:64],
                user_agent=user_agent[:256],
                outcome=outcome,
            )
        )
    _export(ctx, _event_fields(now, actor, action, target, detail, ip, user_agent, outcome))


def record_by(
    ctx: AppContext, who: Principal, action: str, target: str = "", detail: str = "", outcome: str = "success"
) -> None:
    """Audit an action of an authenticated principal."""
    record(ctx, who.username, action, target, detail, who.ip, who.user_agent, outcome)


def _event_fields(
    now: datetime, actor: str, action: str, target: str, detail: str, ip: str, agent: str, outcome: str
) -> dict[str, Any]:
    """The audit entry in the mlm.audit event shape (empty values left out)."""
    return {
        "@timestamp": format_timestamp(now),
        "event.id": f"dashboard-audit-{uuid.uuid4().hex}",
        "event.kind": "event",
        "event.dataset": "mlm.audit",
        "event.action": action,
        "event.category": ["configuration"],
        "event.type": ["change"],
        "event.outcome": outcome,
        "service.name": "dashboard",
        "user.name": actor,
        "mlm.target.id": target or None,
        "user_agent.original": agent or None,
        "message": detail or None,
        "source.ip": ip if _is_ip(ip) else None,
    }


def _is_ip(value: str) -> bool:
    try:
        ip_address(value)
        return True
    except ValueError:
        return False


def _export(ctx: AppContext, flat: dict[str, Any]) -> None:
    """Write the audit event to the store; a store outage must not block the analyst's action."""
    try:
        event = Event.from_dict({k: v for k, v in flat.items() if v is not None})
        ctx.store.write_events([event])
    except EventError as exc:
        log.warning("audit event refused: %s", exc.field)
    except Exception as exc:  # noqa: BLE001 - backend errors vary (sqlite3, elasticsearch)
        log.warning("audit export failed: %s", type(exc).__name__)


def recent(ctx: AppContext, limit: int = 200) -> list[AuditView]:
    """Newest audit entries as view models."""
    with ctx.db.session() as db:
        rows = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).all()
        return [
            AuditView(
                ts=format_timestamp(r.ts),
                actor=r.actor,
                action=r.action,
                target=r.target,
                detail=r.detail,
                ip=r.ip,
                outcome=r.outcome,
            )
            for r in rows
        ]
