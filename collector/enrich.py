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
_PARTS = {name: (tuple(name.split(".")[:-1]), name.rsplit(".", 1)[1]) for name in COLLECTOR_FIELDS}


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


def ingested_stamp(clock: Clock) -> str:
    """The `event.ingested` value for a batch read now."""
    return format_timestamp(clock())


def enrich(event: Event, ingested: str) -> Event:
    """Drop client-sent enrichment fields, then add geo and AS (public addresses) and ingest time."""
    flat = event.flat
    if _any_collector_field(flat):
        for name in COLLECTOR_FIELDS:
            flat.pop(name, None)
        event.doc = nest(flat)
    doc = event.doc
    address = flat.get("source.ip")
    if address:
        info = lookup(address)
        if not info.is_private:
            if info.country:
                _put(doc, flat, "source.geo.country_iso_code", info.country)
            if info.as_organization:
                _put(doc, flat, "source.as.organization.name", info.as_organization)
    _put(doc, flat, "event.ingested", ingested)
    return event


def _any_collector_field(flat: dict[str, Any]) -> bool:
    """Whether the client sent any collector-only field (four lookups; set.isdisjoint(flat) would
    hash every field name of the event)."""
    for name in COLLECTOR_FIELDS:
        if name in flat:
            return True
    return False


def _put(doc: dict[str, Any], flat: dict[str, Any], name: str, value: Any) -> None:
    """Set a field in both views; if the client put a scalar where an object belongs, leave it."""
    parents, last = _PARTS[name]
    node = doc
    for part in parents:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        elif type(child) is not dict:
            return
        node = child
    if type(node.get(last)) is dict:
        return
    node[last] = value
    flat[name] = value


def warm_up() -> None:
    """Load the geo database now rather than inside the first request."""
    lookup("192.0.2.1")
