"""Normalizers: plain functions in a registry, applied in order to each decoded record.

Each takes the record and the limits and returns the record; the first one turns any accepted shape
(nested, flat dotted, or mixed) into a flat dotted dict, so the rest only deal with flat names.
`core.event.Event.from_dict` validates and coerces the contract types afterwards.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from core.event import EventError, Limits, flatten, format_timestamp

Record = dict[str, Any]
Normalizer = Callable[[Any, Limits], Record]

NORMALIZERS: list[Normalizer] = []

# Fields only the collector sets (enrichment); a client's values are dropped, never trusted.
COLLECTOR_FIELDS = ("event.ingested",)
COLLECTOR_PREFIXES = ("source.geo.", "source.as.")

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


@normalizer
def to_flat(record: Any, limits: Limits) -> Record:
    """Nested, flat dotted or mixed objects become one flat dotted dict (bounded by the limits)."""
    if not isinstance(record, dict):
        raise EventError(None, "an event must be a JSON object")
    return flatten(record, limits)


@normalizer
def drop_collector_fields(record: Record, limits: Limits) -> Record:
    """Remove enrichment fields a client sent: the collector alone vouches for them."""
    for name in [n for n in record if n in COLLECTOR_FIELDS or n.startswith(COLLECTOR_PREFIXES)]:
        del record[name]
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
    if value != value:  # NaN
        raise EventError("@timestamp", "not a number")
    scale = next(s for floor, s in _EPOCH_SCALES if abs(value) >= floor)
    seconds = value / scale
    if not _MIN_EPOCH <= seconds <= _MAX_EPOCH:
        raise EventError("@timestamp", "epoch time out of range (1970-9999)")
    return format_timestamp(datetime.fromtimestamp(seconds, tz=timezone.utc))


@normalizer
def canonical_case(record: Record, limits: Limits) -> Record:
    """Enumerated values compare exactly downstream, so give them their canonical case."""
    for name in _LOWER_CASE:
        value = record.get(name)
        if isinstance(value, str):
            record[name] = value.strip().lower()
    for name in _UPPER_CASE:
        value = record.get(name)
        if isinstance(value, str):
            record[name] = value.strip().upper()
    return record
