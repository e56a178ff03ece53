"""Enrichment of validated events: country and AS organisation of `source.ip`, and `event.ingested`.

Runs after validation, writing into both views of the Event (nested `doc` and dotted `flat`), so
the values the collector vouches for are never re-parsed. The wall clock is read once per batch by
the caller through an injectable clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from core.event import Event, format_timestamp, nest
from core.geo import lookup

Clock = Callable[[], datetime]

# Fields only the collector sets; a client's values are dropped, never trusted.
COLLECTOR_FIELDS = ("event.ingested", "source.geo.country_iso_code", "source.as.organization.name",
                    "source.as.number")
_PARTS = {name: tuple(name.split(".")) for name in COLLECTOR_FIELDS}


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


def ingested_stamp(clock: Clock) -> str:
    """The `event.ingested` value for a batch read now."""
    return format_timestamp(clock())


def enrich(event: Event, ingested: str) -> Event:
    """Drop client-sent enrichment fields, then add geo and AS (public addresses) and ingest time."""
    if any(name in event.flat for name in COLLECTOR_FIELDS):
        for name in COLLECTOR_FIELDS:
            event.flat.pop(name, None)
        event.doc = nest(event.flat)
    address = event.flat.get("source.ip")
    if address:
        info = lookup(address)
        if info.country and not info.is_private:
            _put(event, "source.geo.country_iso_code", info.country)
        if info.as_organization and not info.is_private:
            _put(event, "source.as.organization.name", info.as_organization)
    _put(event, "event.ingested", ingested)
    return event


def _put(event: Event, name: str, value: Any) -> None:
    """Set a field in both views; if the client put a scalar where an object belongs, leave it."""
    *parents, last = _PARTS[name]
    node = event.doc
    for part in parents:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        elif not isinstance(child, dict):
            return
        node = child
    if isinstance(node.get(last), dict):
        return
    node[last] = value
    event.flat[name] = value


def warm_up() -> None:
    """Load the geo database now rather than inside the first request."""
    lookup("192.0.2.1")
