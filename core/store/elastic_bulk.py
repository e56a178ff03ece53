"""Bulk writes with retry, backoff, dedupe by `_id` and per-document rejection.

Each document is sent with op_type `create`: a 409 answer means the id is already stored (a
duplicate, not an error). Documents refused for being busy (429) or by a failing node (5xx) are
retried with exponential backoff; documents refused for their content (mapping errors) are
rejected with the reason and never retried. When the cluster stays unreachable the write raises
`StoreUnavailable`, so the caller does not acknowledge what was not stored.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson
from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, Elasticsearch, TransportError

from core.store.base import WriteResult

log = logging.getLogger(__name__)
_RETRY_STATUS = {429, 502, 503, 504}
_MAX_REASON = 500
# Per request: well under Elasticsearch's 100 MB http.max_content_length, small enough to retry.
_MAX_DOCS = 1000
_MAX_BYTES = 8 * 1024 * 1024


class StoreUnavailable(RuntimeError):
    """The store could not take a write after every retry: nothing may be acknowledged."""


@dataclass(slots=True)
class BulkPolicy:
    """How hard to try: attempts per batch, first backoff, cap; `sleep` is injectable for tests."""

    attempts: int = 6
    backoff: float = 0.2
    max_backoff: float = 10.0
    refresh: bool | str = False
    sleep: Callable[[float], None] = field(default=time.sleep)

    def delay(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * (2 ** attempt))


@dataclass(slots=True)
class Doc:
    """One document to create."""

    index: str
    id: str
    source: dict[str, Any] | bytes  # bytes: the JSON document, sent as it is


def _reason(error: Any) -> str:
    if isinstance(error, dict):
        text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
    else:
        text = str(error)
    return text[:_MAX_REASON]


def bulk_create(client: Elasticsearch, docs: list[Doc], policy: BulkPolicy) -> tuple[WriteResult, list[Doc]]:
    """Create `docs`; returns the result and the rejected documents (for quarantine)."""
    result = WriteResult()
    rejected_docs: list[Doc] = []
    pending = docs
    for attempt in range(policy.attempts):
        if not pending:
            break
        if attempt:
            policy.sleep(policy.delay(attempt - 1))
        items = [item for chunk in _chunks(pending) for item in _send(client, chunk, policy)]
        retry: list[Doc] = []
        for doc, item in zip(pending, items):
            outcome = next(iter(item.values()))
            status = outcome.get("status", 500)
            if status in (200, 201):
                result.stored += 1
            elif status == 409:
                result.duplicates += 1
            elif status in _RETRY_STATUS or status >= 500:
                retry.append(doc)
            else:
                result.rejected.append((doc.id, _reason(outcome.get("error"))))
                rejected_docs.append(doc)
        pending = retry
    if pending:
        raise StoreUnavailable(f"{len(pending)} documents not stored after {policy.attempts} attempts")
    return result, rejected_docs


def _chunks(docs: list[Doc]) -> list[list[Doc]]:
    """Split into requests of at most _MAX_DOCS documents and about _MAX_BYTES of JSON."""
    chunks: list[list[Doc]] = [[]]
    size = 0
    for doc in docs:
        doc_bytes = len(doc.source) if isinstance(doc.source, bytes) else len(orjson.dumps(doc.source))
        if chunks[-1] and (len(chunks[-1]) >= _MAX_DOCS or size + doc_bytes > _MAX_BYTES):
            chunks.append([])
            size = 0
        chunks[-1].append(doc)
        size += doc_bytes
    return chunks


def _send(client: Elasticsearch, docs: list[Doc], policy: BulkPolicy) -> list[dict[str, Any]]:
    """One bulk request; when it fails as a whole in a retryable way, every item answers 503."""
    operations: list[dict[str, Any] | bytes] = []
    for doc in docs:
        operations.append({"create": {"_index": doc.index, "_id": doc.id}})
        operations.append(doc.source)
    unavailable = [{"create": {"status": 503}}] * len(docs)
    try:
        # Bytes items are sent as they are (the client's NDJSON serializer passes bytes through).
        response = client.bulk(operations=operations, refresh=policy.refresh)  # type: ignore[arg-type]
    except (ConnectionError, ConnectionTimeout) as exc:
        log.warning("bulk write failed, will retry: %s", type(exc).__name__)
        return unavailable
    except ApiError as exc:
        if exc.meta.status in _RETRY_STATUS:
            log.warning("bulk write refused with %s, will retry", exc.meta.status)
            return unavailable
        raise
    except TransportError as exc:
        log.warning("bulk write transport error, will retry: %s", type(exc).__name__)
        return unavailable
    items = response.get("items", [])
    if len(items) != len(docs):
        raise StoreUnavailable(f"bulk answered {len(items)} items for {len(docs)} documents")
    return list(items)
