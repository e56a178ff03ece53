"""Commands: first admin bootstrap, rotate-keys, backup and restore through `mlm-siem`; the app on PostgreSQL."""

from __future__ import annotations

import json
import stat

from mlmapp_helpers import login

from mlm_app.accounts.models import User
from mlm_app.bootstrap import ADMIN_FILE, ensure_admin
from mlm_app.db import make_engine, session_factory, transaction
from mlm_app.profile import service as pii
from mlm_app.security.crypto import KeyRing
from mlm_app.settings import AppSettings
from mlm_siem.cli import main


def test_ensure_admin_is_idempotent_and_private(tmp_path):
    settings = AppSettings(data_dir=tmp_path)
    first = ensure_admin(settings)
    assert first == ensure_admin(settings)
    mode = stat.S_IMODE((tmp_path / ADMIN_FILE).stat().st_mode)
    assert mode == 0o600 and json.loads((tmp_path / ADMIN_FILE).read_text())["password"] == first[1]
    engine = make_engine(settings.db_url())
    with transaction(session_factory(engine)) as db:
        admin = db.query(User).filter_by(role="admin").one()
        assert admin.id == "S0001" and admin.password_hash.startswith("$argon2id$")
    engine.dispose()


def test_rotate_backup_restore_commands(tmp_path, monkeypatch, capsys):
    source, target = tmp_path / "src", tmp_path / "dst"
    ensure_admin(AppSettings(data_dir=source))
    engine = make_engine(AppSettings(data_dir=source).db_url())
    keys = KeyRing.load(source / "keys.json")
    with transaction(session_factory(engine)) as db:
        pii.set_tax_id(db.get(User, "S0001"), "555-66-7777", keys)
    engine.dispose()
    assert main(["rotate-keys", "--data-dir", str(source)]) == 0
    assert KeyRing.load(source / "keys.json").current == 2
    phrase = tmp_path / "phrase"
    phrase.write_text("a sufficiently long passphrase\n")
    backup = tmp_path / "app.bak"
    assert main(["backup", str(backup), "--data-dir", str(source), "--passphrase-file", str(phrase)]) == 0
    monkeypatch.delenv("MLM_APP_BACKUP_PASSPHRASE", raising=False)
    assert main(["restore", str(backup), "--data-dir", str(target)]) == 2  # no passphrase given
    assert main(["restore", str(backup), "--data-dir", str(target), "--passphrase-file", str(phrase)]) == 0
    assert main(["restore", str(backup), "--data-dir", str(target), "--passphrase-file", str(phrase)]) == 1
    engine = make_engine(AppSettings(data_dir=target).db_url())
    with transaction(session_factory(engine)) as db:
        assert pii.read(db.get(User, "S0001"), "tax_id", KeyRing.load(target / "keys.json")) == "555-66-7777"
    engine.dispose()
    assert "not empty" in capsys.readouterr().err


def test_app_runs_on_postgresql(make_harness, postgres_db_url):
    harness = make_harness(database_url=postgres_db_url)
    harness.add_user("pg.user")
    client = harness.client()
    assert login(client, "pg.user").status_code == 303
    assert client.get("/account/security").status_code == 200
    assert harness.find("mlm.auth", "login")[-1]["event"]["outcome"] == "success"
    harness.app.state.engine.dispose()
