"""What an alert needs from a rule: category, severity, risk, entity, tags, summary, suppression.

Sigma gives `id`, `title`, `level` and `tags`; our own keys live under `mlm:` in the rule YAML
(pySigma keeps unknown keys in `custom_attributes`):

    mlm:
      category: account_takeover      # required
      entity: user.name               # field (or correlation alias) naming the alert entity
      entity_type: user               # optional; derived from the entity field otherwise
      risk_score: 60                  # optional; derived from level otherwise
      summary: "{count} failed logins for {entity} within {window}"
      suppress: 15m                   # one alert per entity per this window (correlations: timespan)
      new_value_of: source.geo.country_iso_code   # temporal_ordered: last step must bring a new value (a list: all new)
      known_from: [mlm_login_success]             # rules whose events also teach the known values
      new_if_absent: true                         # a last step without the field counts as new
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sigma.correlations import SigmaCorrelationTimespan
from sigma.exceptions import SigmaError

from core.schema import ENTITY_TYPES

LEVEL_SEVERITY = {"informational": "low", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}
# Elastic's default risk scores per severity, so scores line up with the exported rules.
SEVERITY_RISK = {"low": 21, "medium": 47, "high": 73, "critical": 99}
FIELD_ENTITY = {
    "user.name": "user", "user.id": "user", "mlm.target.id": "user", "source.ip": "ip",
    "mlm.distributor.id": "distributor", "mlm.session.id": "session", "service.name": "service",
}
DEFAULT_ENTITY_FIELDS = ("user.id", "user.name", "mlm.distributor.id", "source.ip")
_CATEGORY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(slots=True)
class RuleMeta:
    """Alert metadata of one rule, checked once at load time."""

    rule_id: str
    name: str
    title: str
    category: str
    severity: str
    risk_score: int
    tags: list[str]
    entity_field: str | None
    entity_type: str | None
    summary: str
    suppress_seconds: float
    new_value_of: list[str] = field(default_factory=list)
    known_from: list[str] = field(default_factory=list)
    new_if_absent: bool = False
    fields: list[str] = field(default_factory=list)


def _timespan(spec: Any, where: str) -> float:
    try:
        return float(SigmaCorrelationTimespan(str(spec)).seconds)
    except SigmaError as exc:
        raise ValueError(f"{where}: mlm.suppress: {exc}") from None


def rule_meta(rule: Any, where: str, default_suppress: float = 0.0) -> RuleMeta:
    """Read and check a rule's alert metadata; errors name the rule file and rule."""
    custom = rule.custom_attributes.get("mlm") or {}
    if not isinstance(custom, dict):
        raise ValueError(f"{where}: 'mlm' must be a mapping")  # noqa: TRY004 - a rule-file error
    category = str(custom.get("category", ""))
    if not _CATEGORY_RE.match(category):
        raise ValueError(f"{where}: mlm.category must be a lower-case name, got {category!r}")
    level = rule.level.name.lower() if rule.level else ""
    if level not in LEVEL_SEVERITY:
        raise ValueError(f"{where}: level is required")
    severity = LEVEL_SEVERITY[level]
    risk = custom.get("risk_score", SEVERITY_RISK[severity])
    if not isinstance(risk, int) or not 0 <= risk <= 100:
        raise ValueError(f"{where}: mlm.risk_score must be an integer 0-100")
    entity_type = custom.get("entity_type")
    if entity_type is not None and entity_type not in ENTITY_TYPES:
        raise ValueError(f"{where}: mlm.entity_type must be one of {', '.join(ENTITY_TYPES)}")
    suppress = custom.get("suppress")
    return RuleMeta(
        rule_id=str(rule.id) if rule.id else (rule.name or rule.title),
        name=rule.name or "",
        title=rule.title,
        category=category,
        severity=severity,
        risk_score=risk,
        tags=[f"{t.namespace}.{t.name}" for t in rule.tags],
        entity_field=custom.get("entity"),
        entity_type=entity_type,
        summary=str(custom.get("summary") or rule.title),
        suppress_seconds=_timespan(suppress, where) if suppress else default_suppress,
        new_value_of=_names(custom.get("new_value_of"), where, "new_value_of"),
        known_from=_names(custom.get("known_from"), where, "known_from"),
        new_if_absent=custom.get("new_if_absent") is True,
    )


def _names(value: Any, where: str, key: str) -> list[str]:
    """A name or a list of names (`mlm.new_value_of` fields, `mlm.known_from` rules)."""
    if value is None:
        return []
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise ValueError(f"{where}: mlm.{key} must be a name or a list of names")
    return list(names)


def entity_type_for(meta: RuleMeta, field_name: str | None) -> str:
    """The alert entity type: explicit in the rule, else from the field, else `user`."""
    if meta.entity_type:
        return meta.entity_type
    return FIELD_ENTITY.get(field_name or "", "user")


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "?"


def render_summary(template: str, **values: Any) -> str:
    """Fill a rule's summary template; unknown placeholders become '?' rather than failing."""
    try:
        return template.format_map(_Blank(values))[:500]
    except (ValueError, IndexError, AttributeError, KeyError):
        return template[:500]


def human_span(seconds: float) -> str:
    """300 -> '5 minutes', 86400 -> '1 day'."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{int(seconds)} seconds"
