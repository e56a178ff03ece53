"""Alerts as the store holds them, newest first, with the incident each belongs to."""

from __future__ import annotations

from sqlalchemy import select

from core.store import EventQuery
from dashboard.alerts.schemas import AlertPage, AlertView
from dashboard.context import AppContext
from dashboard.models import AlertRecord
from dashboard.settings import SEVERITY_ORDER

PAGE_SIZE = 50


def list_alerts(
    ctx: AppContext, category: str = "", severity: str = "", cursor: str | None = None, size: int = PAGE_SIZE
) -> AlertPage:
    """One page of alerts from the store, filtered by category and severity."""
    filters: dict[str, list[object]] = {}
    if category:
        filters["category"] = [category[:64]]
    if severity in SEVERITY_ORDER:
        filters["severity"] = [severity]
    try:
        page = ctx.store.search_alerts(EventQuery(filters=filters, size=size, cursor=cursor or None))
    except ValueError:  # a tampered cursor: start again from the newest
        page = ctx.store.search_alerts(EventQuery(filters=filters, size=size))
    ids = [str(doc.get("id", "")) for doc in page.items]
    with ctx.db.session() as db:
        owners = dict(
            db.execute(select(AlertRecord.id, AlertRecord.incident_id).where(AlertRecord.id.in_(ids))).all()
        )
    alerts = [AlertView.from_doc(doc, owners.get(str(doc.get("id", "")))) for doc in page.items]
    return AlertPage(alerts, page.next_cursor, category, severity if severity in SEVERITY_ORDER else "")
