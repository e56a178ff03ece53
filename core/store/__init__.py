"""Event and alert storage: the interface and a factory choosing a backend by URL."""

from __future__ import annotations

from urllib.parse import parse_qs

from core.store.base import EventQuery, EventStore, Page, WriteResult

__all__ = ["EventQuery", "EventStore", "Page", "WriteResult", "open_store"]


def open_store(url: str) -> EventStore:
    """`sqlite:///path/events.db` (embedded) or `http(s)://host:9200` (Elasticsearch).

    Both take `?retention_days=N`; Elasticsearch also `prefix` and `ca_certs` (core.store.elastic).
    """
    if url.startswith("sqlite:///"):
        from core.store.sqlite import SqliteStore

        path, _, query = url.removeprefix("sqlite:///").partition("?")
        options = parse_qs(query)
        days = options.get("retention_days", [None])[-1]
        return SqliteStore(path, retention_days=int(days) if days else None)
    if url.startswith(("http://", "https://")):
        from core.store.elastic import ElasticStore

        return ElasticStore(url)
    raise ValueError(f"unknown store URL scheme: {url.split(':', 1)[0]!r}")
