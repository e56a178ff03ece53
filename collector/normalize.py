"""Normalizers: plain functions in a registry, applied in order to each decoded record.

Each takes the record (nested, flat dotted or mixed, as sent) and the limits, and returns it.
They do what the contract validator (`core.event.Event.from_dict`, the next stage) does not:
epoch timestamps, canonical case of enumerations. The validator then flattens, coerces the contract
types, turns RFC 3339 timestamps into UTC and keeps unknown fields within the limits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from core.event import EventError, Limits, format_timestamp

Record = dict[str, Any]
Normalizer = Callable[[Any, Limits], Record]

NORMALIZERS: list[Normalizer] = []

# Epoch numbers are told apart by magnitude: 1e11 seconds is the year 5138, so anything larger is
# milliseconds; 1e14 ms is the year 5138 again, so larger still is microseconds, then nanoseconds.
_EPOCH_SCALES = ((1e17, 1e9), (1e14, 1e6), (1e11, 1e3), (0.0, 1.0))
_MIN_EPOCH, _MAX_EPOCH = 0.0, 253_402_300_799.0  # 1970-01-01 .. 9999-12-31T23:59:59Z

_LOWER_CASE = ("event.kind", "event.outcome", "event.dataset")
_UPPER_CASE = ("http.request.method",)


def normalizer(func: Normalizer) -> Normalizer:
    """Register a normalizer; registration order is application order."""
    NORMALIZERS.append(func)
    return func


def normalize(record: Any, limits: Limits) -> Record:
    """Run every registered normalizer over one decoded record."""
    for func in NORMALIZERS:
        record = func(record, limits)
    return record


def get_field(record: Record, name: str) -> Any:
    """A field's value whether the record spells it flat (`a.b`) or nested (`{"a": {"b"}}`)."""
    if name in record:
        return record[name]
    node: Any = record
    for part in name.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def set_field(record: Record, name: str, value: Any) -> None:
    """Replace a field's value in whichever spelling the record already uses."""
    if name in record:
        record[name] = value
        return
    *parents, last = name.split(".")
    node: Any = record
    for part in parents:
        node = node.get(part)
        if not isinstance(node, dict):
            return
    if last in node:
        node[last] = value


@normalizer
def require_object(record: Any, limits: Limits) -> Record:
    """Only JSON objects are events."""
    if not isinstance(record, dict):
        raise EventError(None, "an event must be a JSON object")
    return record


@normalizer
def epoch_timestamp(record: Record, limits: Limits) -> Record:
    """`@timestamp` given as epoch seconds, millis, micros or nanos becomes RFC 3339 UTC."""
    value = record.get("@timestamp")
    if isinstance(value, str) and value.isdigit() and len(value) <= 20:
        value = int(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        record["@timestamp"] = epoch_to_rfc3339(value)
    return record


def epoch_to_rfc3339(value: float) -> str:
    """Epoch number at any of the usual scales to the canonical wire form."""
    if math.isnan(value):
        raise EventError("@timestamp", "not a number")
    scale = next(s for floor, s in _EPOCH_SCALES if abs(value) >= floor)
    seconds = value / scale
    if not _MIN_EPOCH <= seconds <= _MAX_EPOCH:
        raise EventError("@timestamp", "epoch time out of range (1970-9999)")
    return format_timestamp(datetime.fromtimestamp(seconds, tz=UTC))


# Enumerated fields grouped by their parent object: (parent parts, ((dotted name, key, conversion), ...)).
_CASED = tuple(
    (tuple(parent.split(".")), tuple((f"{parent}.{key}", key, convert) for key, convert in fields))
    for parent, fields in {
        "event": [(n.split(".")[1], str.lower) for n in _LOWER_CASE],
        "http.request": [(n.rsplit(".", 1)[1], str.upper) for n in _UPPER_CASE],
    }.items()
)


@normalizer
def canonical_case(record: Record, limits: Limits) -> Record:
    """Enumerated values compare exactly downstream, so give them their canonical case.

    Each parent object is found once (the per-record hot path), whichever spelling is used:
    a dotted key wins, as in `get_field`.
    """
    for parents, fields in _CASED:
        node = _nested(record, parents)
        for name, key, convert in fields:
            if name in record:
                value = record[name]
                if type(value) is str and (canonical := convert(value.strip())) != value:
                    record[name] = canonical
            elif type(node) is dict:
                value = node.get(key)
                if type(value) is str and (canonical := convert(value.strip())) != value:
                    node[key] = canonical
    return record


def _nested(record: Record, parts: tuple[str, ...]) -> Any:
    """The value at a nested path, or None."""
    node: Any = record
    for part in parts:
        if type(node) is not dict:
            return None
        node = node.get(part)
    return node
