"""The Event model of EVENTS.md: parse nested or flat dotted JSON, validate, bound sizes, serialize.

Events stay plain dicts underneath (parsing speed matters: see FACTS.md); `Event` keeps the nested
document for the wire and a flat dotted view for matching, both built in one walk.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import orjson

from core.coerce import coerce_known, event_time, is_canonical_stamp
from core.contract import DEFAULT_LIMITS, EventError, Limits, format_timestamp, parse_timestamp
from core.event_shape import CALLER_CHECKS_BLANK, ShapeCache
from core.schema import ACTIONS, FIELDS, OUTCOMES, REQUIRED

__all__ = ["DEFAULT_LIMITS", "Event", "EventError", "Limits", "flatten", "format_timestamp", "nest",
           "parse_timestamp"]

_DATASET_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


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
_SHAPES = ShapeCache(_NAMES)
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


_ENUMS = ("event.dataset", "event.action", "event.outcome", "event.kind")
# The contract's own values pass every envelope check as they are (the common case, checked first).
_KNOWN_DATASETS = frozenset(ACTIONS)
_KNOWN_ACTIONS = frozenset(a for actions in ACTIONS.values() for a in actions)
_KNOWN_OUTCOMES = frozenset((*OUTCOMES, None))
_KNOWN_KINDS = frozenset(("event", None))


def _check_envelope(flat: dict[str, Any], changed: list[str]) -> None:
    """Enumerated envelope fields in their canonical lower case (detectors compare them exactly),
    then the envelope checks."""
    if flat["event.dataset"] in _KNOWN_DATASETS and flat["event.action"] in _KNOWN_ACTIONS \
            and flat.get("event.outcome") in _KNOWN_OUTCOMES and flat.get("event.kind") in _KNOWN_KINDS \
            and len(flat["event.id"]) <= 256:
        return
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
    bytes and `doc` is re-read from them on demand. A sealed event is read-only. An event parsed
    with `from_json(..., lazy_doc=True)` keeps its raw line instead of the nested document.
    """

    __slots__ = ("_doc", "_json", "_raw", "flat", "ts")

    def __init__(self, doc: dict[str, Any], flat: dict[str, Any], ts: float) -> None:
        self._doc: dict[str, Any] | None = doc
        self.flat = flat
        self.ts = ts
        self._json: bytes | None = None
        self._raw: bytes | str | None = None  # the unchanged line the document is re-read from

    @property
    def doc(self) -> dict[str, Any]:
        """The nested wire document (parsed back from the sealed bytes or raw line when released)."""
        if self._doc is None:
            self._doc = orjson.loads(self._json if self._json is not None else self._raw)  # type: ignore[arg-type]
        return self._doc

    @doc.setter
    def doc(self, value: dict[str, Any]) -> None:
        self._doc = value
        self._json = None
        self._raw = None

    def seal(self) -> bytes:
        """Serialize once and drop the nested document, so only the flat view and bytes stay alive.

        Queued events then hold a fraction of the memory, which keeps parsing the next ones fast
        (fresh allocations for thousands of live dicts cost more than the parse itself, FACTS.md).
        """
        if self._json is None:
            self._json = orjson.dumps(self.doc)
        self._doc = None
        self._raw = None
        return self._json

    @classmethod
    def from_dict(cls, obj: Any, limits: Limits = DEFAULT_LIMITS, strings_bounded: bool = False) -> Event:
        """Validate a decoded JSON object (nested, flat dotted, or mixed) into an Event.

        A nested `obj` is kept as the event's document and normalized in place (no copy: this is
        the ingest hot path); flat or mixed input is rebuilt as a nested document. `strings_bounded`
        is the caller's word that no string in `obj` is longer than `limits.max_string` (it was
        decoded from a line that short): the compiled-shape fast path may then be used.
        """
        if strings_bounded and type(obj) is dict and (limits is DEFAULT_LIMITS or limits == DEFAULT_LIMITS):
            flat = _SHAPES.flatten(obj)
            if flat is not None:
                return _compiled(obj, flat, None)
            return cls._validate(obj, limits, True)
        return cls._validate(obj, limits, False)

    @classmethod
    def from_json(cls, raw: bytes | str, limits: Limits = DEFAULT_LIMITS,
                  known_time: tuple[str | None, float] | None = None, lazy_doc: bool = False) -> Event:
        """Parse one JSON document (one NDJSON line) into an Event.

        `known_time` is an @timestamp text and its epoch seconds the caller already computed (replay
        reads them from the raw line to order events): reused when the event's @timestamp is that
        text in canonical form, so the time is not parsed twice. With `lazy_doc` (for callers that
        read only the flat view, as replay's detectors do) an event that needed no normalization
        keeps `raw`, which must not change afterwards, and `doc` re-reads it when asked: the nested
        objects are freed at once, while still in the CPU cache (~0.8 us less per replayed event).
        """
        if len(raw) > limits.max_bytes:
            raise EventError(None, f"event larger than {limits.max_bytes} bytes")
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise EventError(None, f"not valid JSON (or not UTF-8): {exc}") from None
        # No decoded string is longer than the line, so a short line needs no string-length checks:
        # a compiled shape (core.event_shape) then validates and flattens in one straight pass.
        if limits is DEFAULT_LIMITS and len(raw) <= limits.max_string and type(obj) is dict:
            flat = _SHAPES.flatten(obj)
            if flat is not None:
                return _compiled(obj, flat, known_time, raw if lazy_doc else None)
            return cls._validate(obj, limits, True)
        return cls.from_dict(obj, limits)

    @classmethod
    def _validate(cls, obj: Any, limits: Limits, learn: bool) -> Event:
        """The generic validator; with `learn`, an accepted nested shape is compiled for next time."""
        if type(obj) is not dict:
            raise EventError(None, "an event must be a JSON object")
        flat, dotted = _flatten(obj, limits)
        for name in REQUIRED:
            value = flat.get(name)
            if type(value) is not str or not value.strip():
                raise EventError(name, "required" if value is None else "must be a non-empty string")
        changed = coerce_known(flat)
        if learn and not dotted and not changed:
            # Before the envelope checks: whatever they refuse, the compiled path refuses the same way.
            _SHAPES.learn(obj)
        return cls._finish(obj, flat, changed, dotted)

    @classmethod
    def _finish(cls, obj: dict[str, Any], flat: dict[str, Any], changed: list[str], dotted: bool,
                known_time: tuple[str | None, float] | None = None) -> Event:
        """Event time and envelope checks on a validated flat view, then the nested document."""
        stamp = flat["@timestamp"]
        if known_time is not None and known_time[0] == stamp and is_canonical_stamp(stamp):
            ts = known_time[1]  # what event_time gives for this canonical text
        else:
            canonical, ts = event_time(stamp)
            if canonical != stamp:
                flat["@timestamp"] = canonical
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
        return orjson.dumps(self.doc)

    def __repr__(self) -> str:
        return f"Event({self.id!r}, {self.timestamp}, {self.dataset}/{self.action})"


_new = object.__new__
_fromisoformat = datetime.fromisoformat


def _compiled(doc: dict[str, Any], flat: dict[str, Any], known_time: tuple[str | None, float] | None,
              raw: bytes | str | None = None) -> Event:
    """The Event of a compiled shape's flat view: when its time is canonical and its envelope holds
    the contract's values (nearly every event), built with no further checks; else `Event._finish`.
    Given the `raw` line `doc` was read from, the event keeps that instead of `doc` (lazy_doc).

    The conditions are `_finish`'s fast cases written out inline: on this path per-call overhead
    is a sizeable share of a parse, and both paths give the same event.
    """
    stamp = flat["@timestamp"]
    size = len(stamp)
    if (size == 24 or (size == 27 and stamp[23:26] != "000")) and stamp[-1] == "Z" and stamp[19] == "." \
            and stamp[10] == "T" and flat["event.dataset"] in _KNOWN_DATASETS \
            and flat["event.action"] in _KNOWN_ACTIONS and flat.get("event.outcome") in _KNOWN_OUTCOMES \
            and flat.get("event.kind") == "event" and len(flat["event.id"]) <= 256:
        if known_time is not None and known_time[0] == stamp:
            ts = known_time[1]
        else:
            try:
                ts = _fromisoformat(stamp).timestamp()  # as event_time reads a canonical stamp
            except ValueError:
                return Event._finish(doc, flat, [], False)
        event = _new(Event)
        event._doc = doc if raw is None else None  # unchanged: re-read from raw on demand
        event._json = None
        event._raw = raw
        event.flat = flat
        event.ts = ts
        return event
    for name in CALLER_CHECKS_BLANK:  # what the compiled guards leave to this function (a blank one
        if not flat[name].strip():  # cannot pass the checks above)
            raise EventError(name, "must be a non-empty string")  # as Event._validate says it
    return Event._finish(doc, flat, [], False, known_time)
