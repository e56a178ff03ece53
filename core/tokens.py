"""Bearer tokens for machines: ingest tokens (collector sources) and API tokens (dashboard REST).

Only a SHA-256 of each token is stored; the plaintext is shown once, at creation or rotation.
Tokens are 256-bit random, so a fast hash is enough (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

KINDS = ("ingest", "api")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT,
    created TEXT NOT NULL,
    revoked TEXT
);
CREATE INDEX IF NOT EXISTS tokens_name ON tokens(kind, name);
"""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    kind: str
    name: str
    role: str | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class TokenStore:
    """Token records in a small SQLite file beside the data (`DATA_DIR/tokens.db`)."""

    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)

    def create(self, kind: str, name: str, role: str | None = None) -> str:
        """Make a new token and return its plaintext (the only time it is visible)."""
        if kind not in KINDS:
            raise ValueError(f"token kind must be one of {', '.join(KINDS)}")
        if not name or len(name) > 128:
            raise ValueError("token name must be 1-128 characters")
        token = f"mlms_{kind}_{secrets.token_urlsafe(32)}"
        now = datetime.now(timezone.utc).isoformat()
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO tokens(hash, kind, name, role, created) VALUES (?, ?, ?, ?, ?)",
                (_digest(token), kind, name, role, now),
            )
        return token

    def verify(self, kind: str, token: str | None) -> TokenInfo | None:
        """The token's record when it is valid for `kind`; None otherwise (deny by default)."""
        if not token or len(token) > 200:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT kind, name, role FROM tokens WHERE hash = ? AND revoked IS NULL", (_digest(token),)
            ).fetchone()
        if row is None or row[0] != kind:
            return None
        return TokenInfo(*row)

    def revoke(self, kind: str, name: str) -> int:
        """Revoke every live token of that name; returns how many."""
        now = datetime.now(timezone.utc).isoformat()
        with self._lock, self._db:
            return self._db.execute(
                "UPDATE tokens SET revoked = ? WHERE kind = ? AND name = ? AND revoked IS NULL",
                (now, kind, name),
            ).rowcount

    def rotate(self, kind: str, name: str, role: str | None = None) -> str:
        """Revoke the old tokens of that name and issue a new one."""
        self.revoke(kind, name)
        return self.create(kind, name, role)

    def close(self) -> None:
        with self._lock:
            self._db.close()
