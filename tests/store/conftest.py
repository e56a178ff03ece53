"""Store fixtures: a fresh SQLite store and a fresh Elasticsearch store (noida) per use."""

from __future__ import annotations

import pytest
from services import drop_indices, new_elastic_store

from core.store.sqlite import SqliteStore


@pytest.fixture
def elastic_store(noida):
    store = new_elastic_store(noida)
    yield store
    drop_indices(store)
    store.close()


@pytest.fixture
def sqlite_store(tmp_path):
    store = SqliteStore(tmp_path / "events.db")
    yield store
    store.close()
