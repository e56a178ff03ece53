"""Fixtures of the business tests (builders live in bizworld.py, importable by name)."""

from __future__ import annotations

import pytest
from bizworld import World, make_world


@pytest.fixture
def world(tmp_path) -> World:
    return make_world(f"sqlite:///{tmp_path / 'app.db'}", tmp_path)
