"""Helpers for store tests against the noida stand-in (a unique name: importable from any test)."""

from __future__ import annotations

import itertools

from core.store.elastic import ElasticStore
from core.store.elastic_bulk import BulkPolicy

_prefixes = itertools.count(1)


def new_elastic_store(noida, **kwargs) -> ElasticStore:
    """A store under its own index prefix; writes wait for refresh so tests read what they wrote."""
    kwargs.setdefault("bulk", BulkPolicy(refresh="wait_for", sleep=lambda s: None))
    kwargs.setdefault("tail_settle_seconds", 0.0)
    return ElasticStore(noida.es_url, prefix=f"t{next(_prefixes)}", **kwargs)


def drop_indices(store: ElasticStore) -> None:
    """Delete every index of the store's prefix (noida slows down as its data grows)."""
    client = store._client
    names = list(client.indices.get(index=f"{store.prefix}-*", allow_no_indices=True))
    if names:
        client.indices.delete(index=",".join(names))
