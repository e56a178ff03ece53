"""View models of the incidents domain: list rows, details, timeline items, metrics, evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.event import format_timestamp
from dashboard.models import Incident

STATUSES = ("new", "acknowledged", "investigating", "contained", "resolved", "false_positive")
OPEN_STATUSES = ("new", "acknowledged", "investigating", "contained")
# Forward through the workflow, or back to investigating to reopen a closed case.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("acknowledged", "investigating", "contained", "resolved", "false_positive"),
    "acknowledged": ("investigating", "contained", "resolved", "false_positive"),
    "investigating": ("contained", "resolved", "false_positive"),
    "contained": ("investigating", "resolved", "false_positive"),
    "resolved": ("investigating",),
    "false_positive": ("investigating",),
    "merged": (),
}


def _ts(value: Any) -> str:
    return format_timestamp(value) if value is not None else ""


@dataclass(frozen=True, slots=True)
class IncidentRow:
    id: int
    kind: str
    title: str
    status: str
    severity: str
    category: str
    entity_type: str
    entity_value: str
    assignee: str
    alert_count: int
    first_seen: str
    last_seen: str
    merged_into: int | None

    @classmethod
    def of(cls, i: Incident) -> IncidentRow:
        return cls(
            i.id,
            i.kind,
            i.title,
            i.status,
            i.severity,
            i.category,
            i.entity_type,
            i.entity_value,
            i.assignee or "",
            i.alert_count,
            _ts(i.first_seen),
            _ts(i.last_seen),
            i.merged_into,
        )

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "severity": self.severity,
            "category": self.category,
            "entity": {"type": self.entity_type, "value": self.entity_value},
            "assignee": self.assignee or None,
            "alert_count": self.alert_count,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "merged_into": self.merged_into,
        }


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    status: str = "open"  # open, closed, all, or one status
    severity: str = ""
    category: str = ""
    entity: str = ""
    assignee: str = ""
    kind: str = ""
    page: int = 1


@dataclass(frozen=True, slots=True)
class IncidentPage:
    rows: list[IncidentRow]
    total: int
    page: int
    pages: int
    filter: IncidentFilter


@dataclass(frozen=True, slots=True)
class TimelineItem:
    ts: str
    kind: str  # alert, evidence, action, comment, response, system
    actor: str
    text: str
    ref: str = ""


@dataclass(frozen=True, slots=True)
class EventView:
    """One evidence event for display: a few headline fields and every field masked."""

    id: str
    ts: str
    dataset: str
    action: str
    outcome: str
    user: str
    ip: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    http: str = ""  # method, path, query and body, masked and truncated (full values are in fields)


@dataclass(frozen=True, slots=True)
class ResponseView:
    id: int
    action: str
    target: str
    status: str
    profile: str
    duration: str
    created: str
    actor: str
    error: str
    can_revert: bool


@dataclass(frozen=True, slots=True)
class IncidentDetail:
    row: IncidentRow
    mtta: str
    mttr: str
    created_at: str
    alerts: list[Any]
    timeline: list[TimelineItem]
    transitions: tuple[str, ...]
    responses: list[ResponseView]
    severity_overridden: bool


@dataclass(frozen=True, slots=True)
class Metrics:
    open_by_severity: dict[str, int]
    mtta: str
    mttr: str
    acknowledged: int
    resolved: int


def duration_text(seconds: float | None) -> str:
    """A short human duration: 45s, 12m, 3h 5m, 2d 4h."""
    if seconds is None:
        return "-"
    s = int(max(0, seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"
