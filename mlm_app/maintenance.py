"""Maintenance commands: `rotate-keys` (PII key rotation), `backup` and `restore` (encrypted)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlm_app.accounts.models import User
from mlm_app.db import init_db, make_engine, session_factory, transaction
from mlm_app.security.crypto import KeyRing
from mlm_app.settings import AppSettings

# Encrypted columns of app_users and the AAD name each was sealed under.
ENCRYPTED = {"tax_id_enc": "tax_id", "birth_date_enc": "birth_date", "bank_account_enc": "bank_account",
             "totp_secret_enc": "totp", "totp_pending_enc": "totp_pending"}
PASSPHRASE_ENV = "MLM_APP_BACKUP_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction) -> None:
    taken = set(subparsers.choices)
    rotate = subparsers.add_parser("rotate-keys", help="MLM app: new PII encryption key; re-encrypt all PII")
    rotate.add_argument("--data-dir", default=None)
    rotate.set_defaults(func=_rotate)
    for name, func, verb in (("backup", _backup, "write"), ("restore", _restore, "read")):
        parser = subparsers.add_parser(name if name not in taken else f"app-{name}",
                                       help=f"MLM app: {verb} an encrypted backup (database + PII keys)")
        parser.add_argument("file", type=Path)
        parser.add_argument("--data-dir", default=None)
        parser.add_argument("--passphrase-file", type=Path,
                            help=f"file holding the passphrase (default: ${PASSPHRASE_ENV})")
        parser.set_defaults(func=func)


def _settings(args: argparse.Namespace) -> AppSettings:
    from mlm_app.cli import default_app_dir

    return AppSettings(data_dir=Path(args.data_dir or default_app_dir()))


def rotate_keys(db: Session, keys: KeyRing) -> int:
    """Make a new key current and re-encrypt every encrypted value under it; returns values rewritten."""
    old = KeyRing(dict(keys.keys), keys.current, keys.hmac_key)
    keys.add_version()
    rewritten = 0
    for user in db.scalars(select(User)):
        for column, name in ENCRYPTED.items():
            token = getattr(user, column)
            if token:
                context = f"app_users.{name}:{user.id}"
                setattr(user, column, keys.encrypt(old.decrypt(token, context), context))
                rewritten += 1
    return rewritten


def _rotate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    engine = make_engine(settings.db_url())
    init_db(engine)
    keys = KeyRing.load(Path(settings.data_dir) / "keys.json", settings.secret_key)
    with transaction(session_factory(engine)) as db:
        count = rotate_keys(db, keys)
    engine.dispose()
    print(f"key version {keys.current} is current; re-encrypted {count} values", file=sys.stderr)
    return 0


def _passphrase(args: argparse.Namespace) -> str | None:
    if args.passphrase_file:
        return args.passphrase_file.read_text().strip()
    return os.environ.get(PASSPHRASE_ENV)


def _backup(args: argparse.Namespace) -> int:
    from mlm_app.backup import BackupError, dump, write_backup

    passphrase, settings = _passphrase(args), _settings(args)
    if not passphrase:
        print(f"error: give --passphrase-file or set {PASSPHRASE_ENV}", file=sys.stderr)
        return 2
    engine = make_engine(settings.db_url())
    try:
        size = write_backup(dump(engine, Path(settings.data_dir) / "keys.json"), args.file, passphrase)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"wrote {args.file} ({size} bytes, encrypted)", file=sys.stderr)
    return 0


def _restore(args: argparse.Namespace) -> int:
    from mlm_app.backup import BackupError, read_backup, restore

    passphrase, settings = _passphrase(args), _settings(args)
    if not passphrase:
        print(f"error: give --passphrase-file or set {PASSPHRASE_ENV}", file=sys.stderr)
        return 2
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.db_url())
    try:
        counts = restore(engine, read_backup(args.file, passphrase), Path(settings.data_dir) / "keys.json")
    except (BackupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"restored {sum(counts.values())} rows into {len(counts)} tables", file=sys.stderr)
    return 0
