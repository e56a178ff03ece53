"""The basics every contract module shares: the refusal error, event bounds, RFC 3339 timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


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
