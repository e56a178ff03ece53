"""First start: make sure one admin exists, with its credentials in a 0600 file in data_dir."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from dashboard.analysts.service import create_analyst
from dashboard.context import AppContext, build_context, write_private
from dashboard.models import Analyst
from dashboard.settings import DashboardSettings

ADMIN_NAME = "admin"


def credentials_file(settings: DashboardSettings) -> Path:
    return Path(settings.data_dir) / "dashboard-admin.json"


def ensure_admin(settings: DashboardSettings, ctx: AppContext | None = None) -> tuple[str, str, str]:
    """Return (username, password, totp_secret) of the first admin, creating it on first use."""
    path = credentials_file(settings)
    own = ctx is None
    ctx = ctx or build_context(settings)
    try:
        with ctx.db.session() as db:
            exists = db.scalar(select(Analyst.id).where(Analyst.username == ADMIN_NAME)) is not None
        if exists and path.exists():
            saved = json.loads(path.read_text(encoding="utf-8"))
            return saved["username"], saved["password"], saved["totp_secret"]
        if exists:
            raise RuntimeError(f"admin exists but {path} is missing; create another admin with the CLI")
        password, totp_secret = create_analyst(ctx, ADMIN_NAME, "admin")
        write_private(
            path, json.dumps({"username": ADMIN_NAME, "password": password, "totp_secret": totp_secret})
        )
        return ADMIN_NAME, password, totp_secret
    finally:
        if own:
            ctx.close()
