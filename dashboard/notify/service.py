"""Notifications: route alerts by category and severity, group them, throttle per channel and category.

An attack wave sends one message: the first alerts of a category go out at once, later ones within
`notify_throttle_seconds` are held and sent together as one digest when the window ends.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.alert import Alert
from dashboard.context import AppContext
from dashboard.models import Notification
from dashboard.notify.channels import SENDERS, ChannelError, enabled_channels
from dashboard.pii import mask_text
from dashboard.settings import SEVERITY_ORDER

log = logging.getLogger(__name__)
MAX_LINES = 10


def _routed(alerts: list[Alert], minimum: str, categories: list[str]) -> dict[str, list[Alert]]:
    floor = SEVERITY_ORDER.index(minimum)
    groups: dict[str, list[Alert]] = {}
    for alert in alerts:
        if SEVERITY_ORDER.index(alert.severity) >= floor and (not categories or alert.category in categories):
            groups.setdefault(alert.category, []).append(alert)
    return groups


def _digest(previous: dict[str, Any] | None, alerts: list[Alert]) -> dict[str, Any]:
    """Merge alerts into a digest: count, highest severity, entities, a few masked summary lines."""
    digest: dict[str, Any] = previous or {"count": 0, "max": "low", "entities": [], "lines": []}
    entities: list[str] = list(digest["entities"])
    lines: list[str] = list(digest["lines"])
    top = str(digest["max"])
    for alert in alerts:
        top = alert.severity if SEVERITY_ORDER.index(alert.severity) > SEVERITY_ORDER.index(top) else top
        entity = f"{alert.entity_type}:{alert.entity_value}"[:80]
        if entity not in entities and len(entities) < 20:
            entities.append(entity)
        if len(lines) < MAX_LINES:
            lines.append(f"[{alert.severity}] {alert.rule_name or alert.rule_id}: {alert.summary}"[:300])
    return {
        "count": int(digest["count"]) + len(alerts),
        "max": top,
        "entities": entities,
        "lines": lines,
    }


def render_message(category: str, digest: dict[str, Any]) -> tuple[str, str]:
    """Title and body, PII masked (notifications leave the SOC)."""
    count = int(digest["count"])
    title = f"[mlm-siem] {count} {category} alert{'s' if count != 1 else ''} (max {digest['max']})"
    body = ["Entities: " + ", ".join(digest["entities"])]
    body += [f"- {line}" for line in digest["lines"]]
    if count > len(digest["lines"]):
        body.append(f"... and {count - len(digest['lines'])} more")
    return mask_text(title), mask_text("\n".join(body))


def notify_alerts(ctx: AppContext, alerts: list[Alert]) -> None:
    """Send or hold notifications for newly grouped alerts."""
    channels = enabled_channels(ctx.settings)
    if not channels or not alerts:
        return
    now = ctx.clock()
    window = timedelta(seconds=ctx.settings.notify_throttle_seconds)
    with ctx.db.session() as db:
        for channel, (minimum, categories) in channels.items():
            for category, group in _routed(alerts, minimum, categories).items():
                last = _last_sent(db, channel, category)
                if last is not None and last.sent_at is not None and now - last.sent_at < window:
                    _hold(db, channel, category, group, now)
                else:
                    _send(ctx, db, channel, category, _digest(None, group), now)


def _last_sent(db: Session, channel: str, key: str) -> Notification | None:
    return db.scalar(
        select(Notification)
        .where(
            Notification.channel == channel, Notification.group_key == key, Notification.status != "pending"
        )
        .order_by(Notification.id.desc())
        .limit(1)
    )


def _hold(db: Session, channel: str, key: str, alerts: list[Alert], now: datetime) -> None:
    pending = db.scalar(
        select(Notification).where(
            Notification.channel == channel, Notification.group_key == key, Notification.status == "pending"
        )
    )
    if pending is None:
        pending = Notification(
            channel=channel, group_key=key, created_at=now, status="pending", alert_count=0, body=""
        )
        db.add(pending)
    digest = _digest(json.loads(pending.body) if pending.body else None, alerts)
    pending.body, pending.alert_count = json.dumps(digest), int(digest["count"])


def _send(
    ctx: AppContext,
    db: Session,
    channel: str,
    key: str,
    digest: dict[str, Any],
    now: datetime,
    row: Notification | None = None,
) -> None:
    title, text = render_message(key, digest)
    row = row or Notification(channel=channel, group_key=key, created_at=now, status="pending")
    row.alert_count, row.body = int(digest["count"]), json.dumps(digest)
    try:
        SENDERS[channel](ctx.settings, title, text)
        row.status, row.error = "sent", ""
    except ChannelError as exc:
        log.warning("notification via %s failed: %s", channel, exc)
        row.status, row.error = "failed", str(exc)
    row.sent_at = now  # failures also start the window: a dead channel is not hammered
    if row.id is None:
        db.add(row)


def flush_due(ctx: AppContext) -> None:
    """Send held digests whose throttle window has ended."""
    now = ctx.clock()
    window = timedelta(seconds=ctx.settings.notify_throttle_seconds)
    with ctx.db.session() as db:
        for pending in db.scalars(select(Notification).where(Notification.status == "pending")).all():
            last = _last_sent(db, pending.channel, pending.group_key)
            if last is None or last.sent_at is None or now - last.sent_at >= window:
                _send(ctx, db, pending.channel, pending.group_key, json.loads(pending.body), now, pending)
