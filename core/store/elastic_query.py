"""EventQuery → Elasticsearch query DSL, with the same meaning as the SQLite WHERE clause."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone
from typing import Any

import orjson

from core.event import format_timestamp
from core.store.base import EventQuery, filter_values
from core.store.text import parse_text


def build_query(query: EventQuery, text_fields: tuple[str, ...]) -> dict[str, Any]:
    """A bool filter: time range, one `terms` per field filter, one phrase match per text term."""
    filters: list[dict[str, Any]] = []
    if query.start is not None or query.end is not None:
        bounds: dict[str, str] = {}
        if query.start is not None:
            bounds["gte"] = format_timestamp(query.start)
        if query.end is not None:
            bounds["lt"] = format_timestamp(query.end)
        filters.append({"range": {"@timestamp": bounds}})
    for field_name, values in query.filters.items():
        values = filter_values(field_name, values)
        if values:
            _check_field(field_name)
            # On `ip` fields a CIDR value matches its whole block (real Elasticsearch; FACTS.md:
            # the noida stand-in answers such a term with 0 hits).
            filters.append({"terms": {field_name: values}})
    # Text terms are filters too: results sort by time, so relevance scores would be wasted work.
    filters += [
        {"multi_match": {"query": term.phrase, "type": "phrase_prefix" if term.prefix else "phrase",
                         "fields": [f"{name}.text" for name in text_fields]}}
        for term in parse_text(query.text)
    ]
    if not filters:
        return {"match_all": {}}
    return {"bool": {"filter": filters}}


def _check_field(field_name: str) -> None:
    """Same rule as SQLite: dotted names of letters, digits and underscores only."""
    parts = field_name.split(".")
    if field_name.startswith("@") or not all(p.replace("_", "").isalnum() for p in parts):
        raise ValueError(f"unsupported field name: {field_name[:60]!r}")


def sort_spec(query: EventQuery, id_field: str) -> list[dict[str, Any]]:
    """Newest (or oldest) first by @timestamp, ties broken by the document id field."""
    order = "asc" if query.sort == "asc" else "desc"
    return [{"@timestamp": {"order": order}}, {id_field: {"order": order}}]


def encode_cursor(sort_values: list[Any]) -> str:
    """An opaque cursor from a hit's sort values (epoch ms and id)."""
    return base64.urlsafe_b64encode(orjson.dumps(sort_values)).decode()


def decode_cursor(cursor: str) -> list[Any]:
    """The `search_after` values of a cursor; anything malformed is a ValueError."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, orjson.JSONDecodeError, UnicodeEncodeError):
        raise ValueError("invalid cursor") from None
    if (not isinstance(values, list) or len(values) != 2 or not isinstance(values[0], int)
            or not isinstance(values[1], str)):
        raise ValueError("invalid cursor")
    return values


def bucket_time(epoch_ms: int) -> str:
    """A date_histogram bucket key in the store's timestamp format."""
    return format_timestamp(datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc))
