"""Encrypted, portable backups of the app database and its PII keys; restore into an empty database.

File layout: `MLMBAK1\\n` + salt (16) + nonce (12) + AES-256-GCM(gzip(JSON)), the key derived from a
passphrase with scrypt. The JSON holds every table's rows (type-tagged values, so SQLite and
PostgreSQL backups restore into either) and the PII key ring, without which PII is unreadable.
"""

from __future__ import annotations

import base64
import gzip
import json
import secrets
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import Engine, Integer, Table, func, insert, select, text, update

from mlm_app.db import Base, init_db
from mlm_app.security.crypto import write_private

MAGIC = b"MLMBAK1\n"
MIN_PASSPHRASE = 12


class BackupError(Exception):
    """The backup could not be written or restored (wrong passphrase, damaged file, non-empty target)."""


def _derive(passphrase: str, salt: bytes) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"the backup passphrase must have at least {MIN_PASSPHRASE} characters")
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), = value.items()
        if tag == "$dt":
            return datetime.fromisoformat(raw)
        if tag == "$dec":
            return Decimal(raw)
        if tag == "$b64":
            return base64.b64decode(raw)
    return value


def dump(engine: Engine, keys_file: Path) -> dict[str, Any]:
    """Every table's rows plus the key ring, as one JSON-ready document."""
    init_db(engine)
    tables: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            rows = conn.execute(select(table).order_by(*order)).mappings()
            tables[table.name] = [{k: _encode(v) for k, v in row.items()} for row in rows]
    keys = json.loads(keys_file.read_text()) if keys_file.exists() else None
    return {"format": 1, "created": datetime.now().astimezone().isoformat(), "tables": tables, "keys": keys}


def write_backup(doc: dict[str, Any], out: Path, passphrase: str) -> int:
    """Encrypt and write; returns the file size."""
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = AESGCM(_derive(passphrase, salt)).encrypt(nonce, gzip.compress(json.dumps(doc).encode()), MAGIC)
    data = MAGIC + salt + nonce + sealed
    write_private(out, data)
    return len(data)


def read_backup(path: Path, passphrase: str) -> dict[str, Any]:
    data = path.read_bytes()
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 28 + 16:
        raise BackupError(f"{path} is not an mlm_app backup")
    body = data[len(MAGIC):]
    try:
        plain = AESGCM(_derive(passphrase, body[:16])).decrypt(body[16:28], body[28:], MAGIC)
    except InvalidTag:
        raise BackupError("wrong passphrase, or the backup was modified") from None
    return json.loads(gzip.decompress(plain))


def restore(engine: Engine, doc: dict[str, Any], keys_file: Path) -> dict[str, int]:
    """Load a backup into an empty database and put its key ring in place; returns rows per table."""
    init_db(engine)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if conn.execute(select(func.count()).select_from(table)).scalar():
                raise BackupError(f"table {table.name} is not empty: restore needs an empty database")
        for table in Base.metadata.sorted_tables:
            rows = [{k: _decode(v) for k, v in row.items() if k in table.c} for row in doc["tables"].get(table.name, [])]
            counts[table.name] = _insert(conn, table, rows)
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn, engine)
    if doc.get("keys"):
        write_private(keys_file, json.dumps(doc["keys"], indent=1).encode())
    return counts


def _insert(conn: Any, table: Table, rows: list[dict[str, Any]]) -> int:
    """Insert rows; self-references (sponsor -> distributor) are filled in a second pass."""
    if not rows:
        return 0
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table and fk.parent.nullable]
    first = [{**row, **{name: None for name in self_refs}} for row in rows]
    conn.execute(insert(table), first)
    if self_refs:
        key = list(table.primary_key.columns)
        for row in rows:
            values = {name: row[name] for name in self_refs if row.get(name) is not None}
            if values:
                conn.execute(update(table).where(*[c == row[c.name] for c in key]).values(**values))
    return len(rows)


def _reset_sequences(conn: Any, engine: Engine) -> None:
    """Explicit ids were inserted, so PostgreSQL's serial sequences must move past them."""
    quote = engine.dialect.identifier_preparer.quote
    for table in Base.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if len(key) == 1 and isinstance(key[0].type, Integer):
            column = key[0]
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX({quote(column.name)}), 0) + 1, false)"
                f" FROM {quote(table.name)}"), {"t": quote(table.name), "c": column.name})
