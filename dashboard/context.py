"""What every request and the background worker share: settings, databases, clock, templates."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.store import EventStore, open_store
from core.tokens import TokenStore
from dashboard.db import Database
from dashboard.settings import DashboardSettings

Clock = Callable[[], datetime]
TEMPLATES_DIR = Path(__file__).parent / "templates"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AppContext:
    settings: DashboardSettings
    db: Database
    store: EventStore
    tokens: TokenStore
    clock: Clock
    secret: bytes
    templates: Jinja2Templates
    cache: dict[str, object] = field(default_factory=dict)  # loaded-once data, e.g. the response policy

    def close(self) -> None:
        self.store.close()
        self.tokens.close()
        self.db.close()


def write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only (created 0600, never world-readable in between)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def load_secret(settings: DashboardSettings) -> bytes:
    """The signing key: from settings, else generated once into data_dir/dashboard.secret."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value().encode()
    path = Path(settings.data_dir) / "dashboard.secret"
    if not path.exists():
        write_private(path, secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode()


def make_templates() -> Jinja2Templates:
    """Jinja2 with autoescape on for every template (HTML and SVG alike)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def build_context(
    settings: DashboardSettings, clock: Clock | None = None, store: EventStore | None = None
) -> AppContext:
    """Open the databases and stores once for the process."""
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    return AppContext(
        settings=settings,
        db=Database(settings.resolved_database_url()),
        store=store or open_store(settings.resolved_store_url()),
        tokens=TokenStore(settings.resolved_tokens_db()),
        clock=clock or utc_now,
        secret=load_secret(settings),
        templates=make_templates(),
    )
