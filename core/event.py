"""The Event model of EVENTS.md: parse nested or flat dotted JSON, validate, bound sizes, serialize.

Events stay plain dicts underneath (parsing speed matters: see FACTS.md); `Event` keeps the nested
document for the wire and a flat dotted view for matching, both built in one walk.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
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
# A dotted quad in canonical form (no leading zeros, each octet 0-255): already what
# ipaddress would print, so it needs no parse.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_RE = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")


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
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """Canonical wire form: UTC with a Z, milliseconds (microseconds when they carry information)."""
    moment = moment.astimezone(UTC)
    spec = "microseconds" if moment.microsecond % 1000 else "milliseconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def flatten(doc: dict[str, Any], limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Flatten nested objects to dotted keys, enforcing depth, field, string and list bounds."""
    return _flatten(doc, limits)[0]


def _flatten(doc: dict[str, Any], limits: Limits) -> tuple[dict[str, Any], bool]:
    """The flat view and whether any key held a dot (flat or mixed input)."""
    flat: dict[str, Any] = {}
    if not _walk(doc, "", 1, flat, limits, False):
        return flat, False
    # Dotted keys can collide with nested ones ("event.action" beside {"event": {"action"}}):
    # walk again, checking every name (the rarer flat-input path).
    flat = {}
    _walk(doc, "", 1, flat, limits, True)
    return flat, True


def _name_table() -> dict[str, dict[str, str]]:
    """prefix -> {key: dotted name} for every contract field and its parents (a fixed, bounded set).

    Shared name strings (with cached hashes) instead of a fresh concatenation per field per event:
    the flat views of queued events then hold far fewer objects.
    """
    table: dict[str, dict[str, str]] = {}
    for name in FIELDS:
        parts = name.split(".")
        for i, part in enumerate(parts):
            prefix = "".join(p + "." for p in parts[:i])
            table.setdefault(prefix, {})[part] = ".".join(parts[: i + 1])
    return table


_NAMES = _name_table()
_CHILD_PREFIX = {name: name + "." for names in _NAMES.values() for name in names.values()}
_NO_NAMES: dict[str, str] = {}


def _walk(obj: dict[str, Any], prefix: str, depth: int, flat: dict[str, Any], limits: Limits,
          check_twice: bool) -> bool:
    """One level of flattening; returns True when any key at or below it holds a dot."""
    if depth > limits.max_depth:
        raise EventError(prefix.rstrip(".") or None, f"nested deeper than {limits.max_depth} levels")
    dotted = False
    max_string = limits.max_string
    names = _NAMES.get(prefix, _NO_NAMES)
    for key, value in obj.items():
        name = names.get(key)
        if name is None:  # not a contract name, so check it
            if not key or len(key) > 256:
                raise EventError(prefix + key[:40], "field names must be 1-256 characters")
            dotted = dotted or "." in key
            name = prefix + key
        kind = type(value)
        if kind is str:
            if len(value) > max_string:
                raise EventError(name, f"string longer than {max_string} characters")
        elif kind is dict:
            if value and _walk(value, _CHILD_PREFIX.get(name) or name + ".", depth + 1, flat, limits,
                               check_twice):
                dotted = True
            continue
        elif kind is list:
            _check_list(name, value, limits)
        if check_twice and name in flat:
            raise EventError(name, "given twice (flat and nested)")
        flat[name] = value
    if len(flat) > limits.max_fields:
        raise EventError(None, f"more than {limits.max_fields} fields")
    return dotted


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
    if kind == "ip":
        canonical = _canonical_ip(value) if isinstance(value, str) and len(value) <= 64 else None
        if canonical is None:
            raise EventError(name, f"not an IP address: {str(value)[:45]!r}")
        return canonical
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
    if kind == "date":
        return format_timestamp(parse_timestamp(value, name))
    if kind == "keyword[]":
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        raise EventError(name, "must be a list of strings")
    return value


def _canonical_ip(value: str) -> str | None:
    """Canonical text of an address: a canonical dotted quad is itself, anything else is parsed."""
    if _IPV4_RE.fullmatch(value):
        return value
    return _parsed_ip(value)


@lru_cache(maxsize=65_536)
def _parsed_ip(value: str) -> str | None:
    """IPv6 and non-canonical spellings (addresses repeat a lot, so the parse is cached)."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _event_time(value: Any) -> tuple[str, float]:
    """@timestamp as (canonical string, epoch seconds); canonical input skips re-formatting."""
    size = len(value) if type(value) is str else 0
    if (size == 24 or (size == 27 and value[23:26] != "000")) and value[-1] == "Z" and value[19] == "." \
            and value[10] == "T":
        try:
            return value, datetime.fromisoformat(value).timestamp()
        except ValueError:
            pass
    moment = parse_timestamp(value)
    return format_timestamp(moment), moment.timestamp()


# Types that need no coercion when the value already has them; anything else goes to _coerce.
_PLAIN = {"keyword": str, "text": str, "long": int, "ip": None, "date": None, "keyword[]": list,
          "number": None, "bool": bool}


# Per contract field (except @timestamp, handled on its own) the type that needs no coercion.
_PLAIN_BY_NAME = {name: _PLAIN[kind] for name, kind in FIELDS.items() if name != "@timestamp"}
_UNKNOWN = object()


def _fail(name: str, reason: str) -> Any:
    raise EventError(name, reason)


def _coerce_known(flat: dict[str, Any]) -> list[str]:
    """Coerce every contract field in place; returns the names whose value changed."""
    changed: list[str] = []
    for name, value in flat.items():
        plain = _PLAIN_BY_NAME.get(name, _UNKNOWN)
        if plain is _UNKNOWN:
            continue
        if type(value) is plain and (plain is not list or _all_strings(value)):
            continue
        coerced = _coerce(name, FIELDS[name], value)
        if coerced is not value:
            flat[name] = coerced
            changed.append(name)
    return changed


def _all_strings(values: list[Any]) -> bool:
    for item in values:
        if type(item) is not str:
            return False
    return True


_ENUMS = ("event.dataset", "event.action", "event.outcome", "event.kind")


def _check_envelope(flat: dict[str, Any], changed: list[str]) -> None:
    """Enumerated envelope fields in their canonical lower case (detectors compare them exactly),
    then the envelope checks."""
    for name in _ENUMS:
        value = flat.get(name)
        if type(value) is str and not value.islower() and value.lower() != value:
            flat[name] = value.lower()
            changed.append(name)
    if not _DATASET_RE.match(flat["event.dataset"]):
        raise EventError("event.dataset", "must look like 'mlm.auth'")
    outcome = flat.get("event.outcome")
    if outcome is not None and outcome not in OUTCOMES:
        raise EventError("event.outcome", f"must be one of {', '.join(OUTCOMES)}")
    if len(flat["event.id"]) > 256:
        raise EventError("event.id", "longer than 256 characters")


def _set_path(doc: dict[str, Any], name: str, value: Any) -> None:
    """Write a dotted field into a nested document (its parents exist unless it is a default)."""
    parts = name.split(".")
    node = doc
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


class Event:
    """One validated event: `doc` is the nested wire form, `flat` the dotted view, `ts` epoch seconds.

    `seal()` serializes once and releases the nested document: `to_json()` then returns those
    bytes and `doc` is re-read from them on demand. A sealed event is read-only.
    """

    __slots__ = ("_doc", "_json", "flat", "ts")

    def __init__(self, doc: dict[str, Any], flat: dict[str, Any], ts: float) -> None:
        self._doc: dict[str, Any] | None = doc
        self.flat = flat
        self.ts = ts
        self._json: bytes | None = None

    @property
    def doc(self) -> dict[str, Any]:
        """The nested wire document (parsed back from the sealed bytes when it was released)."""
        if self._doc is None:
            self._doc = orjson.loads(self._json)  # type: ignore[arg-type]
        return self._doc

    @doc.setter
    def doc(self, value: dict[str, Any]) -> None:
        self._doc = value
        self._json = None

    def seal(self) -> bytes:
        """Serialize once and drop the nested document, so only the flat view and bytes stay alive.

        Queued events then hold a fraction of the memory, which keeps parsing the next ones fast
        (fresh allocations for thousands of live dicts cost more than the parse itself, FACTS.md).
        """
        if self._json is None:
            self._json = orjson.dumps(self._doc)
        self._doc = None
        return self._json

    @classmethod
    def from_dict(cls, obj: Any, limits: Limits = DEFAULT_LIMITS) -> Event:
        """Validate a decoded JSON object (nested, flat dotted, or mixed) into an Event.

        A nested `obj` is kept as the event's document and normalized in place (no copy: this is
        the ingest hot path); flat or mixed input is rebuilt as a nested document.
        """
        if type(obj) is not dict:
            raise EventError(None, "an event must be a JSON object")
        flat, dotted = _flatten(obj, limits)
        for name in REQUIRED:
            value = flat.get(name)
            if type(value) is not str or not value.strip():
                raise EventError(name, "required" if value is None else "must be a non-empty string")
        changed = _coerce_known(flat)
        stamp, ts = _event_time(flat["@timestamp"])
        if stamp != flat["@timestamp"]:
            flat["@timestamp"] = stamp
            changed.append("@timestamp")
        _check_envelope(flat, changed)
        if "event.kind" not in flat:
            flat["event.kind"] = "event"
            changed.append("event.kind")
        if dotted:
            return cls(nest(flat), flat, ts)
        for name in changed:
            _set_path(obj, name, flat[name])
        return cls(obj, flat, ts)

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
        """The nested wire form as compact JSON bytes (the sealed bytes when sealed)."""
        if self._json is not None:
            return self._json
        return orjson.dumps(self._doc)

    def __repr__(self) -> str:
        return f"Event({self.id!r}, {self.timestamp}, {self.dataset}/{self.action})"
