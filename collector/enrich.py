"""Enrichment of flat records: country and AS organisation of `source.ip`, and `event.ingested`.

Runs on the flat dict before validation so the validated Event is built (nested) only once.
The wall clock is read once per batch by the caller through an injectable clock.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from core.event import format_timestamp
from core.geo import lookup

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(timezone.utc)


def ingested_stamp(clock: Clock) -> str:
    """The `event.ingested` value for a batch read now."""
    return format_timestamp(clock())


def enrich(record: dict[str, Any], ingested: str) -> dict[str, Any]:
    """Add geo and AS fields when the address is public and known, and the ingest time."""
    address = record.get("source.ip")
    if isinstance(address, str) and 0 < len(address) <= 64:
        info = lookup(address)
        if info.country and not info.is_private:
            record["source.geo.country_iso_code"] = info.country
        if info.as_organization and not info.is_private:
            record["source.as.organization.name"] = info.as_organization
    record["event.ingested"] = ingested
    return record


def warm_up() -> None:
    """Load the geo database now rather than inside the first request."""
    lookup("192.0.2.1")
