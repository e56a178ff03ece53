"""The Alert model of EVENTS.md: what every detector emits and every alert consumer reads."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from core.event import EventError, format_timestamp, parse_timestamp
from core.schema import ENTITY_TYPES, SEVERITIES

MAX_EVIDENCE = 100
_CATEGORY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(slots=True)
class Alert:
    """One detection. `timestamp` is the event time of the newest evidence event."""

    rule_id: str
    rule_name: str
    category: str
    severity: str
    risk_score: int
    entity_type: str
    entity_value: str
    timestamp: str
    event_ids: list[str]
    summary: str
    tags: list[str] = field(default_factory=list)
    id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise EventError("severity", f"must be one of {', '.join(SEVERITIES)}")
        if self.entity_type not in ENTITY_TYPES:
            raise EventError("entity.type", f"must be one of {', '.join(ENTITY_TYPES)}")
        if not _CATEGORY_RE.match(self.category):
            raise EventError("category", "must be a lower-case name")
        if not isinstance(self.risk_score, int) or not 0 <= self.risk_score <= 100:
            raise EventError("risk_score", "must be an integer from 0 to 100")
        self.timestamp = format_timestamp(parse_timestamp(self.timestamp, "@timestamp"))
        self.entity_value = str(self.entity_value)
        # Keep the newest evidence when a long attack exceeds the cap.
        self.event_ids = list(dict.fromkeys(self.event_ids))[-MAX_EVIDENCE:]
        if not self.id:
            self.id = self.deterministic_id()

    def deterministic_id(self) -> str:
        """Same rule, entity, time and evidence give the same id, so replays are reproducible."""
        first = self.event_ids[0] if self.event_ids else ""
        key = "\x1f".join((self.rule_id, self.entity_type, self.entity_value, self.timestamp, first))
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        """The nested wire form of EVENTS.md (extra fields first, contract fields win)."""
        doc: dict[str, Any] = dict(self.extra)
        doc.update({
            "id": self.id,
            "@timestamp": self.timestamp,
            "rule": {"id": self.rule_id, "name": self.rule_name},
            "category": self.category,
            "severity": self.severity,
            "risk_score": self.risk_score,
            "entity": {"type": self.entity_type, "value": self.entity_value},
            "event_ids": self.event_ids,
            "tags": self.tags,
            "summary": self.summary,
        })
        return doc

    def to_json(self) -> bytes:
        return orjson.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Alert:
        """Read an alert in nested or flat dotted form."""
        def pick(dotted: str, default: Any = None) -> Any:
            if dotted in doc:
                return doc[dotted]
            node: Any = doc
            for part in dotted.split("."):
                if not isinstance(node, dict) or part not in node:
                    return default
                node = node[part]
            return node

        known = {"id", "@timestamp", "rule", "category", "severity", "risk_score", "entity",
                 "event_ids", "tags", "summary", "rule.id", "rule.name", "entity.type", "entity.value"}
        try:
            return cls(
                id=str(pick("id", "")),
                timestamp=pick("@timestamp"),
                rule_id=str(pick("rule.id")),
                rule_name=str(pick("rule.name", "")),
                category=str(pick("category")),
                severity=str(pick("severity")),
                risk_score=int(pick("risk_score", 0)),
                entity_type=str(pick("entity.type")),
                entity_value=str(pick("entity.value")),
                event_ids=[str(e) for e in pick("event_ids", [])],
                tags=[str(t) for t in pick("tags", [])],
                summary=str(pick("summary", "")),
                extra={k: v for k, v in doc.items() if k not in known},
            )
        except (TypeError, ValueError) as exc:
            if isinstance(exc, EventError):
                raise
            raise EventError(None, f"not an alert: {exc}") from None

    @classmethod
    def from_json(cls, raw: bytes | str) -> Alert:
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise EventError(None, f"not valid JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise EventError(None, "an alert must be a JSON object")
        return cls.from_dict(doc)
