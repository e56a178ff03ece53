"""Where each component keeps its files inside one data directory."""

from __future__ import annotations

from pathlib import Path


def tokens_db(data_dir: str | Path) -> Path:
    return Path(data_dir) / "tokens.db"


def events_db(data_dir: str | Path) -> Path:
    return Path(data_dir) / "events.db"


def store_url(data_dir: str | Path) -> str:
    return f"sqlite:///{events_db(data_dir)}"
