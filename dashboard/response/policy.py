"""The response policy file (YAML, in the spirit of CrowdSec profiles): filters on alert and incident
fields lead to actions on the MLM app, automatic or waiting for an analyst's one-click confirmation.

    profiles:
      - name: takeover_lock
        filters:                      # all must hold
          - {field: category, in: [account_takeover]}
          - {field: severity, in: [high, critical]}
          - {field: entity.type, in: [user]}
        decisions:
          - {action: revoke_sessions}
          - {action: lock_account, duration: 4h}
        mode: confirm                 # auto | confirm
        on_success: break             # break (stop at this profile) | continue
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core.alert import Alert
from dashboard.models import Incident

USER_ACTIONS = (
    "lock_account",
    "unlock_account",
    "revoke_sessions",
    "hold_payouts",
    "release_payouts",
    "force_password_reset",
    "force_mfa_reenrol",
)
IP_ACTIONS = ("block_ip", "unblock_ip")
ACTIONS = USER_ACTIONS + IP_ACTIONS
FIELDS = (
    "category",
    "severity",
    "entity.type",
    "entity.value",
    "rule.id",
    "risk_score",
    "tags",
    "incident.severity",
    "incident.alert_count",
    "incident.kind",
)
OPS = ("in", "not_in", "eq", "gte", "lte", "contains")
_DURATION_RE = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class PolicyError(ValueError):
    """The policy file is invalid; the message names the profile and the problem."""


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class Decision:
    action: str
    duration_seconds: int | None


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    conditions: tuple[Condition, ...]
    decisions: tuple[Decision, ...]
    auto: bool
    stop: bool


def parse_duration(value: Any, where: str) -> int | None:
    if value in (None, "", 0):
        return None
    match = _DURATION_RE.match(str(value))
    if not match:
        raise PolicyError(f"{where}: duration must look like 30m, 4h or 7d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def _condition(raw: Any, where: str) -> Condition:
    if not isinstance(raw, dict) or raw.get("field") not in FIELDS:
        raise PolicyError(f"{where}: each filter needs a field, one of {', '.join(FIELDS)}")
    ops = [op for op in OPS if op in raw]
    if len(ops) != 1:
        raise PolicyError(f"{where}: each filter needs exactly one of {', '.join(OPS)}")
    value = raw[ops[0]]
    if ops[0] in ("in", "not_in") and not isinstance(value, list):
        raise PolicyError(f"{where}: '{ops[0]}' takes a list")
    return Condition(raw["field"], ops[0], value)


def _profile(raw: Any, index: int) -> Profile:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise PolicyError(f"profile #{index + 1}: needs a name")
    where = f"profile {raw['name']!r}"
    decisions = []
    for d in raw.get("decisions") or []:
        if not isinstance(d, dict) or d.get("action") not in ACTIONS:
            raise PolicyError(f"{where}: action must be one of {', '.join(ACTIONS)}")
        decisions.append(Decision(d["action"], parse_duration(d.get("duration"), where)))
    if not decisions:
        raise PolicyError(f"{where}: needs at least one decision")
    if raw.get("mode", "confirm") not in ("auto", "confirm"):
        raise PolicyError(f"{where}: mode is auto or confirm")
    if raw.get("on_success", "break") not in ("break", "continue"):
        raise PolicyError(f"{where}: on_success is break or continue")
    conditions = tuple(_condition(c, where) for c in raw.get("filters") or [])
    return Profile(
        raw["name"],
        conditions,
        tuple(decisions),
        raw.get("mode", "confirm") == "auto",
        raw.get("on_success", "break") == "break",
    )


def load_policy(path: Path | None) -> list[Profile]:
    """Parse and validate the policy file; no file means no automatic responses."""
    if path is None:
        return []
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"cannot read response policy {path}: {type(exc).__name__}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("profiles"), list):
        raise PolicyError("the response policy needs a 'profiles' list")
    return [_profile(raw, i) for i, raw in enumerate(doc["profiles"])]


def _value(name: str, alert: Alert, incident: Incident) -> Any:
    return {
        "category": alert.category,
        "severity": alert.severity,
        "entity.type": alert.entity_type,
        "entity.value": alert.entity_value,
        "rule.id": alert.rule_id,
        "risk_score": alert.risk_score,
        "tags": alert.tags,
        "incident.severity": incident.severity,
        "incident.alert_count": incident.alert_count,
        "incident.kind": incident.kind,
    }[name]


def holds(c: Condition, alert: Alert, incident: Incident) -> bool:
    """Does one filter hold? Type mismatches (e.g. gte on text) simply do not match."""
    value = _value(c.field, alert, incident)
    try:
        if c.op == "in":
            return value in c.value
        if c.op == "not_in":
            return value not in c.value
        if c.op == "eq":
            return bool(value == c.value)
        if c.op == "contains":
            return c.value in value
        if c.op == "gte":
            return float(value) >= float(c.value)
        return float(value) <= float(c.value)
    except (TypeError, ValueError):
        return False


def matching(profiles: list[Profile], alert: Alert, incident: Incident) -> list[Profile]:
    """Profiles whose filters all hold, in file order, stopping after a `break` profile."""
    out = []
    for profile in profiles:
        if all(holds(c, alert, incident) for c in profile.conditions):
            out.append(profile)
            if profile.stop:
                break
    return out
