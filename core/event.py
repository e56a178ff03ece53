"""The Event model of EVENTS.md: parse nested or flat dotted JSON, validate, bound sizes, serialize.

Events stay plain dicts underneath (parsing speed matters: see FACTS.md); `Event` keeps the nested
document for the wire and a flat dotted view for matching, both built in one walk.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import orjson

from core.schema import FIELDS, OUTCOMES, REQUIRED


class EventError(ValueError):
    """An event was refused; `field` names the offending field (None for the whole document)."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one event; anything larger is refused rather than truncated silently."""

    max_bytes: int = 1_048_576
    max_depth: int = 8
    max_fields: int = 512
    max_string: int = 65_536
    max_list: int = 256


DEFAULT_LIMITS = Limits()
_DATASET_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


def parse_timestamp(value: Any, field: str = "@timestamp") -> datetime:
    """Parse an RFC 3339 timestamp to an aware UTC datetime (naive values are taken as UTC)."""
    if not isinstance(value, str) or not value:
        raise EventError(field, "must be an RFC 3339 date-time string")
    if len(value) > 64:
        raise EventError(field, "too long for a date-time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise EventError(field, f"not an RFC 3339 date-time: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def format_timestamp(moment: datetime) -> str:
    """Canonical wire form: UTC with a Z, milliseconds (microseconds when they carry information)."""
    moment = moment.astimezone(timezone.utc)
    spec = "microseconds" if moment.microsecond % 1000 else "milliseconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def flatten(doc: dict[str, Any], limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Flatten nested objects to dotted keys, enforcing depth, field, string and list bounds."""
    flat: dict[str, Any] = {}
    stack: list[tuple[str, dict[str, Any], int]] = [("", doc, 1)]
    while stack:
        prefix, obj, depth = stack.pop()
        if depth > limits.max_depth:
            raise EventError(prefix.rstrip(".") or None, f"nested deeper than {limits.max_depth} levels")
        for key, value in obj.items():
            if not key or len(key) > 256:
                raise EventError(prefix + key[:40], "field names must be 1-256 characters")
            name = prefix + key
            if isinstance(value, dict):
                if value:
                    stack.append((name + ".", value, depth + 1))
                continue
            if isinstance(value, str):
                if len(value) > limits.max_string:
                    raise EventError(name, f"string longer than {limits.max_string} characters")
            elif isinstance(value, list):
                _check_list(name, value, limits)
            if name in flat:
                raise EventError(name, "given twice (flat and nested)")
            flat[name] = value
            if len(flat) > limits.max_fields:
                raise EventError(None, f"more than {limits.max_fields} fields")
    return flat


def _check_list(name: str, value: list[Any], limits: Limits) -> None:
    if len(value) > limits.max_list:
        raise EventError(name, f"list longer than {limits.max_list} items")
    for item in value:
        if isinstance(item, (dict, list)):
            raise EventError(name, "lists may hold only scalar values")
        if isinstance(item, str) and len(item) > limits.max_string:
            raise EventError(name, f"string longer than {limits.max_string} characters")


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Build the nested wire document from dotted keys (`@timestamp` stays top-level)."""
    doc: dict[str, Any] = {}
    for name, value in flat.items():
        parts = name.split(".")
        node = doc
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                if child is not None:
                    raise EventError(name, f"conflicts with scalar field {part!r}")
                child = node[part] = {}
            node = child
        if isinstance(node.get(parts[-1]), dict):
            raise EventError(name, "conflicts with an object of the same name")
        node[parts[-1]] = value
    return doc


def _coerce(name: str, kind: str, value: Any) -> Any:
    """Check (and gently coerce) a known field's value against its contract type."""
    if value is None:
        return None
    if kind in ("keyword", "text"):
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise EventError(name, "must be a string")
    if kind == "long":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 20:
            return int(value)
        raise EventError(name, "must be an integer")
    if kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return float(value) if len(value) < 40 else _fail(name, "must be a number")
            except ValueError:
                pass
        raise EventError(name, "must be a number")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise EventError(name, "must be true or false")
    if kind == "ip":
        if not isinstance(value, str):
            raise EventError(name, "must be an IP address string")
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise EventError(name, f"not an IP address: {value[:45]!r}") from None
    if kind == "date":
        return format_timestamp(parse_timestamp(value, name))
    if kind == "keyword[]":
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        raise EventError(name, "must be a list of strings")
    return value


def _fail(name: str, reason: str) -> Any:
    raise EventError(name, reason)


class Event:
    """One validated event: `doc` is the nested wire form, `flat` the dotted view, `ts` epoch seconds."""

    __slots__ = ("doc", "flat", "ts")

    def __init__(self, doc: dict[str, Any], flat: dict[str, Any], ts: float) -> None:
        self.doc = doc
        self.flat = flat
        self.ts = ts

    @classmethod
    def from_dict(cls, obj: Any, limits: Limits = DEFAULT_LIMITS) -> Event:
        """Validate a decoded JSON object (nested, flat dotted, or mixed) into an Event."""
        if not isinstance(obj, dict):
            raise EventError(None, "an event must be a JSON object")
        flat = flatten(obj, limits)
        for name in REQUIRED:
            value = flat.get(name)
            if not isinstance(value, str) or not value.strip():
                raise EventError(name, "required" if value is None else "must be a non-empty string")
        for name, value in flat.items():
            kind = FIELDS.get(name)
            if kind is not None and name != "@timestamp":
                flat[name] = _coerce(name, kind, value)
        moment = parse_timestamp(flat["@timestamp"])
        flat["@timestamp"] = format_timestamp(moment)
        if not _DATASET_RE.match(flat["event.dataset"]):
            raise EventError("event.dataset", "must look like 'mlm.auth'")
        flat.setdefault("event.kind", "event")
        outcome = flat.get("event.outcome")
        if outcome is not None and outcome not in OUTCOMES:
            raise EventError("event.outcome", f"must be one of {', '.join(OUTCOMES)}")
        if len(flat["event.id"]) > 256:
            raise EventError("event.id", "longer than 256 characters")
        return cls(nest(flat), flat, moment.timestamp())

    @classmethod
    def from_json(cls, raw: bytes | str, limits: Limits = DEFAULT_LIMITS) -> Event:
        """Parse one JSON document (one NDJSON line) into an Event."""
        if len(raw) > limits.max_bytes:
            raise EventError(None, f"event larger than {limits.max_bytes} bytes")
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise EventError(None, f"not valid JSON (or not UTF-8): {exc}") from None
        return cls.from_dict(obj, limits)

    def get(self, field: str, default: Any = None) -> Any:
        """A field's value by dotted name."""
        return self.flat.get(field, default)

    @property
    def id(self) -> str:
        return self.flat["event.id"]

    @property
    def timestamp(self) -> str:
        return self.flat["@timestamp"]

    @property
    def dataset(self) -> str:
        return self.flat["event.dataset"]

    @property
    def action(self) -> str:
        return self.flat["event.action"]

    def to_json(self) -> bytes:
        """The nested wire form as compact JSON bytes."""
        return orjson.dumps(self.doc)

    def __repr__(self) -> str:
        return f"Event({self.id!r}, {self.timestamp}, {self.dataset}/{self.action})"
