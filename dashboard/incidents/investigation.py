"""The investigation view: evidence, recent activity of the entity, and its MLM neighbourhood."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from core.store import EventQuery
from dashboard.context import AppContext
from dashboard.incidents.graph import Graph, layout
from dashboard.incidents.schemas import EventView, IncidentRow
from dashboard.incidents.service import load
from dashboard.incidents.timeline import event_view, evidence
from dashboard.models import AlertRecord
from dashboard.pii import flatten_doc

log = logging.getLogger(__name__)
ENTITY_FIELDS = {
    "user": ("user.id", "user.name"),
    "distributor": ("mlm.distributor.id", "user.id"),
    "ip": ("source.ip",),
    "session": ("mlm.session.id",),
    "service": ("service.name",),
}
LINK_FIELDS = {
    "mlm.bank.fingerprint": "bank",
    "mlm.payment.fingerprint": "payment",
    "mlm.device.id": "device",
    "source.ip": "ip",
    "mlm.email.domain": "email domain",
}
# Webmail domains link everyone to everyone: they say nothing about shared control.
COMMON_DOMAINS = {
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "icloud.com",
    "aol.com",
    "gmx.de",
    "web.de",
    "proton.me",
    "protonmail.com",
    "mail.ru",
    "yandex.ru",
    "qq.com",
}
MAX_CHAIN = 10


@dataclass(frozen=True, slots=True)
class LinkedAccount:
    account: str
    kinds: list[str]
    values: int


@dataclass(frozen=True, slots=True)
class Investigation:
    row: IncidentRow
    evidence: list[EventView]
    activity: list[EventView]
    is_mlm: bool
    sponsors: list[str] = field(default_factory=list)
    direct_recruits: int = 0
    second_level: int = 0
    linked: list[LinkedAccount] = field(default_factory=list)
    graph: Graph | None = None


def _search(ctx: AppContext, filters: dict[str, list[Any]], size: int = 50) -> list[dict[str, Any]]:
    """Store search that treats a refused filter (e.g. a non-IP in an ip field) as no hits."""
    try:
        return ctx.store.search_events(EventQuery(filters=filters, size=size)).items
    except ValueError:
        return []


def investigate(ctx: AppContext, incident_id: int) -> Investigation:
    with ctx.db.session() as db:
        row = IncidentRow.of(load(db, incident_id))
        ids = [
            e
            for ids in db.scalars(
                select(AlertRecord.event_ids)
                .where(AlertRecord.incident_id == incident_id)
                .order_by(AlertRecord.ts)
                .limit(200)
            )
            for e in (ids or [])
        ]
    docs = _activity_docs(ctx, row.entity_type, row.entity_value)
    activity = [event_view(d) for d in docs]
    base = Investigation(row, evidence(ctx, ids), activity, False)
    if row.entity_type not in ("user", "distributor"):
        return base
    account = row.entity_value
    sponsors = sponsor_chain(ctx, account)
    recruits = _recruits(ctx, [account])
    second = _recruits(ctx, recruits[:500]) if recruits else []
    linked = linked_accounts(ctx, account, docs)
    is_mlm = bool(sponsors or recruits or linked or _enrollment(ctx, account))
    graph = (
        layout(account, sponsors, [(la.account, la.kinds) for la in linked], len(recruits))
        if is_mlm
        else None
    )
    return Investigation(
        row, base.evidence, activity, is_mlm, sponsors, len(recruits), len(second), linked, graph
    )


def _activity_docs(ctx: AppContext, entity_type: str, value: str) -> list[dict[str, Any]]:
    """The entity's newest 50 events, over every field that can name it."""
    merged: dict[str, dict[str, Any]] = {}
    for name in ENTITY_FIELDS.get(entity_type, ()):
        for doc in _search(ctx, {name: [value]}):
            merged[str(doc.get("event", {}).get("id", ""))] = doc
    return sorted(merged.values(), key=lambda d: str(d.get("@timestamp", "")), reverse=True)[:50]


def _enrollment(ctx: AppContext, account: str) -> dict[str, Any] | None:
    hits = _search(ctx, {"event.action": ["distributor_enrolled"], "mlm.distributor.id": [account]}, size=1)
    return flatten_doc(hits[0]) if hits else None


def sponsor_chain(ctx: AppContext, account: str) -> list[str]:
    """Sponsors from the direct one upward, stopping at the root, a loop or MAX_CHAIN levels."""
    chain: list[str] = []
    current = account
    while len(chain) < MAX_CHAIN:
        enrolled = _enrollment(ctx, current)
        sponsor = str(enrolled.get("mlm.sponsor.id") or "") if enrolled else ""
        if not sponsor or sponsor == account or sponsor in chain:
            break
        chain.append(sponsor)
        current = sponsor
    return chain


def _recruits(ctx: AppContext, sponsors: list[str]) -> list[str]:
    hits = _search(ctx, {"event.action": ["distributor_enrolled"], "mlm.sponsor.id": sponsors}, size=1000)
    return [str(flatten_doc(h).get("mlm.distributor.id", "")) for h in hits]


def linked_accounts(ctx: AppContext, account: str, docs: list[dict[str, Any]]) -> list[LinkedAccount]:
    """Other accounts sharing a bank or payment fingerprint, device, IP or uncommon email domain."""
    values: dict[str, set[str]] = {name: set() for name in LINK_FIELDS}
    enrolled = _enrollment(ctx, account)
    for flat in [flatten_doc(d) for d in docs] + ([enrolled] if enrolled else []):
        for name in LINK_FIELDS:
            value = flat.get(name)
            if isinstance(value, str) and value and value.lower() not in COMMON_DOMAINS:
                values[name].add(value)
    links: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for name, found in values.items():
        for value in sorted(found)[:5]:
            for hit in _search(ctx, {name: [value]}, size=200):
                flat = flatten_doc(hit)
                other = str(flat.get("mlm.distributor.id") or flat.get("user.id") or "")
                if other and other != account:
                    links.setdefault(other, set()).add(LINK_FIELDS[name])
                    counts[other] = counts.get(other, 0) + 1
    ranked = sorted(links, key=lambda a: (-len(links[a]), -counts[a], a))[:20]
    return [LinkedAccount(a, sorted(links[a]), counts[a]) for a in ranked]
