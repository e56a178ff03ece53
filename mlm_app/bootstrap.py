"""First start: create the first admin with a random password, kept in a 0600 file in data_dir."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from sqlalchemy import select

from mlm_app.accounts.models import User
from mlm_app.accounts.service import create_account, next_staff_id
from mlm_app.db import init_db, make_engine, session_factory, transaction
from mlm_app.security.crypto import write_private
from mlm_app.security.passwords import verify_password
from mlm_app.settings import AppSettings

ADMIN_FILE = "admin-credentials.json"


def ensure_admin(settings: AppSettings) -> tuple[str, str]:
    """Return the first admin's (username, password), creating the account if no admin exists.

    The password is random and stays readable only by the owner in `data_dir/admin-credentials.json`
    so `mlm-siem up` can print it on every start; the admin must enrol MFA at first sign-in.
    """
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    creds_file = data_dir / ADMIN_FILE
    engine = make_engine(settings.db_url())
    try:
        init_db(engine)
        with transaction(session_factory(engine)) as db:
            admin = db.scalars(select(User).where(User.role == "admin").order_by(User.id)).first()
            if admin is not None and creds_file.exists():
                saved = json.loads(creds_file.read_text())
                if saved.get("username") == admin.username and verify_password(admin.password_hash, saved["password"]):
                    return saved["username"], saved["password"]
                creds_file.unlink()  # the admin chose their own password: stop showing the old one
            if admin is not None:
                return admin.username, "(set earlier; not stored)"
            password = secrets.token_urlsafe(15)
            create_account(db, "admin", password, "admin", next_staff_id(db))
        write_private(creds_file, json.dumps({"username": "admin", "password": password}).encode())
        return "admin", password
    finally:
        engine.dispose()
