"""NUL in a bound parameter on real PostgreSQL, through both engines that install the listener."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.pg_text import without_nul
from dashboard.db import make_engine as dashboard_engine
from mlm_app.db import make_engine as app_engine


def test_nested_parameters_lose_nul_and_keep_their_types():
    value = {"a": "x\x00y", "b": ["\x00", 3, None], "c": ("ok", "z\x00")}
    assert without_nul(value) == {"a": "x\ufffdy", "b": ["\ufffd", 3, None], "c": ("ok", "z\ufffd")}
    assert without_nul("plain") == "plain" and without_nul(b"\x00") == b"\x00"  # bytea may hold NUL


@pytest.mark.parametrize("make_engine", [app_engine, dashboard_engine], ids=["mlm_app", "dashboard"])
def test_nul_reaches_postgresql_text_as_a_replacement_character(postgres_db_url, make_engine):
    engine = make_engine(postgres_db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TEMP TABLE names (name text)"))
            conn.execute(text("INSERT INTO names VALUES (:n)"), {"n": "admin\x00' --"})
            conn.execute(text("INSERT INTO names VALUES (:n)"), [{"n": "a\x00"}, {"n": "b"}])  # executemany
            stored = conn.execute(text("SELECT name FROM names")).scalars().all()
            assert sorted(stored) == sorted(["a\ufffd", "admin\ufffd' --", "b"])
    finally:
        engine.dispose()
