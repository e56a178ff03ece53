"""The per-record stages: each turns one incoming record into the next shape, or raises EventError.

Pure functions of (record, context) so a test can drive them from a list of dicts; the pipeline
declares their order (collector/pipeline.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from collector.enrich import enrich
from collector.normalize import normalize
from collector.redact import redact_secrets
from core.event import Event, EventError, Limits


class TooLarge(EventError):
    """A record refused for its size (the HTTP answer is 413 when nothing else was accepted)."""


@dataclass(slots=True)
class BatchContext:
    """What every record of one batch shares: the bounds and the ingest time."""

    limits: Limits
    ingested: str
    # Set by `decode` for the record at hand: its line was no longer than the longest string allowed,
    # so validation may take core.event's compiled-shape path (no string inside can be too long).
    short_line: bool = False


class Accepted(NamedTuple):
    """A record that passed every stage: the event and its canonical NDJSON line."""

    event: Event
    line: bytes


def decode(record: Any, ctx: BatchContext) -> Any:
    """Raw NDJSON lines are parsed here (size-checked first); decoded objects pass through."""
    ctx.short_line = False
    if isinstance(record, (bytes, bytearray, memoryview)):
        if len(record) > ctx.limits.max_bytes:
            raise TooLarge(None, f"line larger than {ctx.limits.max_bytes} bytes")
        try:
            decoded = orjson.loads(record)
        except orjson.JSONDecodeError as exc:
            raise EventError(None, f"not valid JSON (or not UTF-8): {exc}") from None
        ctx.short_line = len(record) <= ctx.limits.max_string
        return decoded
    return record


def normalize_record(record: Any, ctx: BatchContext) -> dict[str, Any]:
    """Every registered normalizer, in order (collector/normalize.py)."""
    return normalize(record, ctx.limits)


def validate(record: dict[str, Any], ctx: BatchContext) -> Event:
    """The contract check: flat or nested, required fields, types, UTC timestamps, bounds (core.event)."""
    return Event.from_dict(record, ctx.limits, strings_bounded=ctx.short_line)


def redact(event: Event, ctx: BatchContext) -> Event:
    """Secret-named fields lose their values (collector/redact.py)."""
    return redact_secrets(event)


def enrich_event(event: Event, ctx: BatchContext) -> Event:
    """Geo, AS and ingest time (collector/enrich.py)."""
    return enrich(event, ctx.ingested)


def encode(event: Event, ctx: BatchContext) -> Accepted:
    """The canonical line that is spooled, stored and published (serialized once, see Event.seal)."""
    try:
        line = event.seal()
    except (TypeError, orjson.JSONEncodeError) as exc:  # e.g. integers beyond 64 bits
        raise EventError(None, f"cannot be encoded as JSON: {exc}") from None
    if len(line) > ctx.limits.max_bytes:
        raise TooLarge(None, f"event larger than {ctx.limits.max_bytes} bytes once normalized")
    return Accepted(event, line)
