"""Event and alert storage: the interface and a factory choosing a backend by URL."""

from __future__ import annotations

from core.store.base import EventQuery, EventStore, Page, WriteResult

__all__ = ["EventQuery", "EventStore", "Page", "WriteResult", "open_store"]


def open_store(url: str) -> EventStore:
    """`sqlite:///path/events.db` (embedded) or `http(s)://host:9200` (Elasticsearch)."""
    if url.startswith("sqlite:///"):
        from core.store.sqlite import SqliteStore

        return SqliteStore(url.removeprefix("sqlite:///"))
    if url.startswith(("http://", "https://")):
        from core.store.elastic import ElasticStore

        return ElasticStore(url)
    raise ValueError(f"unknown store URL scheme: {url.split(':', 1)[0]!r}")
