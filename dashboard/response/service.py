"""Response actions on the MLM app's admin API: proposed by the policy, run automatically or after an
analyst confirms, recorded on the incident timeline, and revertable."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.event import format_timestamp
from dashboard.analysts import audit
from dashboard.analysts.schemas import Principal
from dashboard.context import AppContext
from dashboard.incidents.grouping import Grouped
from dashboard.incidents.service import note
from dashboard.models import Incident, ResponseAction
from dashboard.response.policy import IP_ACTIONS, Decision, Profile, load_policy, matching

log = logging.getLogger(__name__)
LIVE = ("pending", "awaiting_confirmation", "done")


class ResponseError(ValueError):
    """A refused response operation (unknown id, wrong state)."""


def policy(ctx: AppContext) -> list[Profile]:
    """The policy, parsed once per process (a bad file fails at start, see create_app)."""
    if "policy" not in ctx.cache:
        ctx.cache["policy"] = load_policy(ctx.settings.response_policy)
    return ctx.cache["policy"]  # type: ignore[return-value]


def apply_policy(ctx: AppContext, touched: list[Grouped]) -> None:
    """Propose (or run) the policy's decisions for each grouped alert, once per incident/action/target."""
    profiles = policy(ctx)
    if not profiles:
        return
    automatic: list[int] = []
    with ctx.db.session() as db:
        for grouped in touched:
            incident = db.get(Incident, grouped.incident_id) if grouped.incident_id else None
            if incident is None:
                continue
            for profile in matching(profiles, grouped.alert, incident):
                for decision in profile.decisions:
                    row = _propose(ctx, db, incident.id, grouped.alert.entity_value, profile, decision)
                    if row is not None and profile.auto:
                        automatic.append(row.id)
    for response_id in automatic:
        execute(ctx, response_id, "policy")


def _propose(
    ctx: AppContext, db: Session, incident_id: int, target: str, profile: Profile, decision: Decision
) -> ResponseAction | None:
    """Record one proposed action, unless the same one is already pending or done for this incident."""
    exists = db.scalar(
        select(ResponseAction.id).where(
            ResponseAction.incident_id == incident_id,
            ResponseAction.action == decision.action,
            ResponseAction.target == target,
            ResponseAction.status.in_(LIVE),
        )
    )
    if exists:
        return None
    row = ResponseAction(
        incident_id=incident_id,
        profile=profile.name,
        action=decision.action,
        target=target,
        duration_seconds=decision.duration_seconds,
        status="pending" if profile.auto else "awaiting_confirmation",
        request_id=uuid.uuid4().hex,
        created_at=ctx.clock(),
        actor="policy",
    )
    db.add(row)
    db.flush()
    how = "automatic" if profile.auto else "awaiting confirmation"
    note(
        db,
        incident_id,
        ctx.clock(),
        "policy",
        "response",
        f"{decision.action} {target} proposed by {profile.name} ({how})",
    )
    return row


def _call(
    ctx: AppContext, action: str, target: str, duration: int | None, reason: str, request_id: str
) -> dict[str, Any]:
    """One call to `POST {app_url}/api/admin/response`; raises ResponseError with a safe message."""
    settings = ctx.settings
    if not settings.app_url or settings.response_token is None:
        raise ResponseError("no MLM app URL or response token configured")
    if (action in IP_ACTIONS) != _looks_like_ip(target):
        raise ResponseError("action does not fit the target kind")
    try:
        r = httpx.post(
            f"{settings.app_url.rstrip('/')}/api/admin/response",
            timeout=10,
            headers={"Authorization": f"Bearer {settings.response_token.get_secret_value()}"},
            json={
                "action": action,
                "target": target,
                "duration_seconds": duration,
                "reason": reason[:500],
                "request_id": request_id,
            },
        )
    except httpx.HTTPError as exc:
        raise ResponseError(f"MLM app unreachable: {type(exc).__name__}") from None
    if r.status_code != 200:
        reasons = {401: "MLM app refused the token", 404: "unknown target", 422: "MLM app refused the action"}
        raise ResponseError(reasons.get(r.status_code, f"MLM app answered {r.status_code}"))
    try:
        return dict(r.json())
    except ValueError:
        raise ResponseError("MLM app answered with invalid JSON") from None


def _looks_like_ip(value: str) -> bool:
    from ipaddress import ip_address

    try:
        ip_address(value)
        return True
    except ValueError:
        return False


def execute(ctx: AppContext, response_id: int, actor: str) -> None:
    """Run a proposed action now and record the outcome (and how to revert it) on the timeline."""
    with ctx.db.session() as db:
        row = db.get(ResponseAction, response_id)
        if row is None or row.status not in ("pending", "awaiting_confirmation"):
            raise ResponseError("that response is not waiting to run")
        args = (
            row.action,
            row.target,
            row.duration_seconds,
            f"incident #{row.incident_id} ({row.profile})",
            row.request_id,
        )
    try:
        answer = _call(ctx, *args)
        status, error = "done", ""
    except ResponseError as exc:
        answer, status, error = {}, "failed", str(exc)
    now = ctx.clock()
    raw = answer.get("revert")
    revert: dict[str, Any] | None = raw if isinstance(raw, dict) else None
    with ctx.db.session() as db:
        row = _get(db, response_id)
        row.status, row.error, row.actor, row.executed_at = status, error, actor, now
        row.revert_action = str(revert.get("action")) if revert else None
        row.revert_target = str(revert.get("target")) if revert else None
        row.expires_at = now + timedelta(seconds=row.duration_seconds) if row.duration_seconds else None
        note(
            db,
            row.incident_id,
            now,
            actor,
            "response",
            f"{row.action} {row.target}: {status}"
            + (f" ({error})" if error else "")
            + (f", until {format_timestamp(row.expires_at)}" if row.expires_at and status == "done" else ""),
        )


def _get(db: Session, response_id: int) -> ResponseAction:
    row = db.get(ResponseAction, response_id)
    if row is None:
        raise ResponseError("no such response")
    return row


def confirm(ctx: AppContext, who: Principal, response_id: int) -> None:
    execute(ctx, response_id, who.username)
    audit.record_by(ctx, who, "response_confirmed", f"response:{response_id}")


def reject(ctx: AppContext, who: Principal, response_id: int) -> None:
    with ctx.db.session() as db:
        row = db.get(ResponseAction, response_id)
        if row is None or row.status != "awaiting_confirmation":
            raise ResponseError("that response is not awaiting confirmation")
        row.status, row.actor = "rejected", who.username
        note(
            db, row.incident_id, ctx.clock(), who.username, "response", f"{row.action} {row.target}: rejected"
        )
    audit.record_by(ctx, who, "response_rejected", f"response:{response_id}")


def revert(ctx: AppContext, who: Principal, response_id: int) -> None:
    """Undo a done action with the revert the MLM app told us about."""
    with ctx.db.session() as db:
        row = db.get(ResponseAction, response_id)
        if row is None or row.status != "done" or not row.revert_action:
            raise ResponseError("that response cannot be reverted")
        args = (
            row.revert_action,
            row.revert_target or row.target,
            None,
            f"revert of response #{row.id} (incident #{row.incident_id})",
            uuid.uuid4().hex,
        )
    _call(ctx, *args)
    with ctx.db.session() as db:
        row = _get(db, response_id)
        row.status = "reverted"
        note(
            db, row.incident_id, ctx.clock(), who.username, "response", f"{row.action} {row.target}: reverted"
        )
    audit.record_by(ctx, who, "response_reverted", f"response:{response_id}")
