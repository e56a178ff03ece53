"""View models of alerts (never raw store documents in templates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def _pick(doc: dict[str, Any], dotted: str, default: Any = "") -> Any:
    node: Any = doc
    if dotted in doc:
        return doc[dotted]
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


@dataclass(frozen=True, slots=True)
class AlertView:
    id: str
    ts: str
    rule_id: str
    rule_name: str
    category: str
    severity: str
    risk_score: int
    entity_type: str
    entity_value: str
    summary: str
    tags: tuple[str, ...]
    incident_id: int | None = None

    @classmethod
    def from_doc(cls, doc: dict[str, Any], incident_id: int | None = None) -> AlertView:
        """Build from a stored alert document, coercing every field to a display string."""
        try:
            risk = int(_pick(doc, "risk_score", 0))
        except (TypeError, ValueError):
            risk = 0
        tags = _pick(doc, "tags", [])
        return cls(
            id=str(_pick(doc, "id")),
            ts=str(_pick(doc, "@timestamp")),
            rule_id=str(_pick(doc, "rule.id")),
            rule_name=str(_pick(doc, "rule.name")),
            category=str(_pick(doc, "category")),
            severity=str(_pick(doc, "severity")),
            risk_score=risk,
            entity_type=str(_pick(doc, "entity.type")),
            entity_value=str(_pick(doc, "entity.value")),
            summary=str(_pick(doc, "summary")),
            tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
            incident_id=incident_id,
        )

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "@timestamp": self.ts,
            "rule": {"id": self.rule_id, "name": self.rule_name},
            "category": self.category,
            "severity": self.severity,
            "risk_score": self.risk_score,
            "entity": {"type": self.entity_type, "value": self.entity_value},
            "summary": self.summary,
            "tags": list(self.tags),
            "incident_id": self.incident_id,
        }


@dataclass(frozen=True, slots=True)
class AlertPage:
    alerts: list[AlertView]
    next_cursor: str | None
    category: str
    severity: str
