"""Elasticsearch layout of the store: index names, the index templates and the ILM policy.

Events go to one index per UTC day of `@timestamp` (`<prefix>-events-2026.11.02`), not to a
data stream: an event always lands in the same index, so `event.id` as `_id` with op_type
`create` deduplicates replays and retries on every day, and retention drops whole indices.
Every contract field of core.schema.FIELDS has an explicit mapping; free-text fields are
`keyword` (exact filters, top-N) with a `.text` sub-field analyzed like SQLite's FTS5 tokenizer.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from core.schema import FIELDS
from core.store.base import ALERT_FIELDS
from core.store.text import ALERT_TEXT_FIELDS, ES_TOKEN_SPLIT, EVENT_TEXT_FIELDS

# Lucene refuses terms over 32,766 bytes; 8,191 characters of UTF-8 always fit.
_LONG_KEYWORD = 8191
_SHORT_KEYWORD = 1024
TAIL_FIELD = "mlm_store"  # alerts only: {"seq": write time in ns}, for alerts_after tailing

_ANALYSIS = {
    "analyzer": {"mlm_words": {"type": "custom", "tokenizer": "mlm_words", "filter": ["lowercase"]}},
    "tokenizer": {"mlm_words": {"type": "pattern", "pattern": ES_TOKEN_SPLIT}},
}

_KIND_MAPPINGS: dict[str, dict[str, Any]] = {
    "keyword": {"type": "keyword", "ignore_above": _SHORT_KEYWORD},
    "keyword[]": {"type": "keyword", "ignore_above": _SHORT_KEYWORD},
    "text": {"type": "keyword", "ignore_above": _LONG_KEYWORD},
    "ip": {"type": "ip"},
    "date": {"type": "date"},
    "long": {"type": "long"},
    "number": {"type": "double"},
    "bool": {"type": "boolean"},
}


def events_index(prefix: str, epoch_seconds: float) -> str:
    """The daily index an event with this `@timestamp` belongs to."""
    day = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    return f"{prefix}-events-{day:%Y.%m.%d}"


def index_day(prefix: str, index: str) -> datetime | None:
    """The UTC day of a daily events index name, or None for a name of another shape."""
    try:
        return datetime.strptime(index.removeprefix(f"{prefix}-events-"), "%Y.%m.%d").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def field_mapping(kind: str, text_search: bool) -> dict[str, Any]:
    """The mapping of one field; free-text fields get an analyzed `.text` sub-field."""
    mapping = dict(_KIND_MAPPINGS.get(kind, _KIND_MAPPINGS["keyword"]))
    if text_search:
        mapping["ignore_above"] = _LONG_KEYWORD
        mapping["fields"] = {"text": {"type": "text", "analyzer": "mlm_words"}}
    return mapping


def properties(fields: dict[str, str], text_fields: tuple[str, ...]) -> dict[str, Any]:
    """Nested `properties` for dotted field names."""
    root: dict[str, Any] = {}
    for name, kind in fields.items():
        parts = name.split(".")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {"properties": {}})["properties"]
        node[parts[-1]] = field_mapping(kind, name in text_fields)
    return root


def _mappings(props: dict[str, Any]) -> dict[str, Any]:
    # Unknown string fields (producers may add fields) become short keywords, never analyzed text.
    return {
        "dynamic_templates": [{"strings": {"match_mapping_type": "string",
                                           "mapping": {"type": "keyword", "ignore_above": _SHORT_KEYWORD}}}],
        "properties": props,
    }


def events_template(prefix: str, policy: str | None) -> dict[str, Any]:
    """Index template for the daily event indices (with the ILM policy when ILM exists)."""
    settings: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0, "analysis": _ANALYSIS,
                                "mapping": {"total_fields": {"limit": 2000}}}
    if policy:
        settings["lifecycle"] = {"name": policy}
    return {"index_patterns": [f"{prefix}-events-*"], "priority": 200,
            "template": {"settings": settings, "mappings": _mappings(properties(FIELDS, EVENT_TEXT_FIELDS))}}


def alerts_template(prefix: str) -> dict[str, Any]:
    """Index template for the alerts index (kept: alerts are the case record)."""
    props = properties(ALERT_FIELDS, ALERT_TEXT_FIELDS)
    props[TAIL_FIELD] = {"properties": {"seq": {"type": "long"}}}
    return {"index_patterns": [f"{prefix}-alerts"], "priority": 200,
            "template": {"settings": {"number_of_shards": 1, "number_of_replicas": 0, "analysis": _ANALYSIS},
                         "mappings": _mappings(props)}}


def quarantine_template(prefix: str) -> dict[str, Any]:
    """Rejected documents with their reason; the original is stored, never parsed or indexed."""
    props = {"@timestamp": {"type": "date"}, "kind": {"type": "keyword"}, "id": {"type": "keyword"},
             "reason": {"type": "keyword", "ignore_above": _LONG_KEYWORD},
             "original": {"type": "object", "enabled": False}}
    return {"index_patterns": [f"{prefix}-quarantine"], "priority": 200,
            "template": {"settings": {"number_of_shards": 1, "number_of_replicas": 0},
                         "mappings": {"dynamic": False, "properties": props}}}


def ilm_policy(retention_days: int) -> dict[str, Any]:
    """Keep daily indices hot, then delete them `retention_days` after creation."""
    return {"phases": {
        "hot": {"min_age": "0ms", "actions": {"set_priority": {"priority": 100}}},
        "delete": {"min_age": f"{retention_days}d", "actions": {"delete": {}}},
    }}
