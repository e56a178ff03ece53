"""PII encryption at rest (AES-256-GCM under versioned keys) and keyed fingerprints (HMAC-SHA256).

Keys live in `DATA_DIR/keys.json` (mode 0600): `{"current": 2, "keys": {"1": b64, "2": b64},
"hmac": b64}`. Ciphertexts read `v<version>:<base64(nonce || ciphertext+tag)>`, so old rows stay
readable after rotation until `rotate-keys` re-encrypts them. The associated data binds each
ciphertext to its column and row, so a ciphertext copied into another row does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class CryptoError(ValueError):
    """A ciphertext could not be decrypted (unknown key version, tampering, wrong row)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def write_private(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only (created 0600, never world-readable in between)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


class KeyRing:
    """Versioned data keys plus one HMAC key; loaded from (or created in) a keys file."""

    def __init__(self, keys: dict[int, bytes], current: int, hmac_key: bytes, path: Path | None = None):
        if current not in keys:
            raise CryptoError("the current key version has no key")
        self.keys, self.current, self.hmac_key, self.path = keys, current, hmac_key, path

    @classmethod
    def load(cls, path: Path, hmac_override: str | None = None) -> KeyRing:
        """Read the keys file, creating it with fresh random keys the first time."""
        if not path.exists():
            fresh = cls({1: AESGCM.generate_key(256)}, 1, secrets.token_bytes(32), path)
            fresh._create_once()
        raw = json.loads(path.read_text())
        keys = {int(v): base64.b64decode(k) for v, k in raw["keys"].items()}
        ring = cls(keys, int(raw["current"]), base64.b64decode(raw["hmac"]), path)
        if hmac_override:
            ring.hmac_key = hashlib.sha256(hmac_override.encode()).digest()
        return ring

    def save(self) -> None:
        if self.path is None:
            raise CryptoError("this key ring has no file")
        write_private(self.path, json.dumps(self._body(), indent=1).encode())

    def _create_once(self) -> None:
        """Publish a first key file unless another process did it first (then theirs is used):
        two app workers starting together must never encrypt under different keys."""
        assert self.path is not None
        tmp = self.path.with_suffix(f".{secrets.token_hex(4)}.new")
        write_private(tmp, json.dumps(self._body(), indent=1).encode())
        try:
            os.link(tmp, self.path)  # atomic, and fails if the file already exists
        except FileExistsError:
            pass
        finally:
            tmp.unlink()

    def _body(self) -> dict[str, object]:
        return {"current": self.current, "keys": {str(v): _b64(k) for v, k in self.keys.items()},
                "hmac": _b64(self.hmac_key)}

    def add_version(self) -> int:
        """Create a new data key and make it current (old keys stay for reading)."""
        self.current = max(self.keys) + 1
        self.keys[self.current] = AESGCM.generate_key(256)
        self.save()
        return self.current

    def encrypt(self, plaintext: str, context: str) -> str:
        """Encrypt under the current key; `context` (e.g. "app_users.tax_id:D000001") is bound as AAD."""
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext.encode(), context.encode())
        return f"v{self.current}:{_b64(nonce + sealed)}"

    def decrypt(self, token: str, context: str) -> str:
        """Decrypt a token made by `encrypt` with the same context."""
        version, payload = self._split(token)
        try:
            raw = base64.b64decode(payload, validate=True)
            return AESGCM(self.keys[version]).decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise CryptoError("ciphertext does not decrypt for this record") from exc

    def version_of(self, token: str) -> int:
        return self._split(token)[0]

    def _split(self, token: str) -> tuple[int, str]:
        head, _, payload = token.partition(":")
        if not head.startswith("v") or not head[1:].isdigit() or int(head[1:]) not in self.keys:
            raise CryptoError("unknown key version")
        return int(head[1:]), payload

    def fingerprint(self, value: str, kind: str = "bank") -> str:
        """A keyed, stable fingerprint of a normalized value (same account -> same fingerprint)."""
        normalized = "".join(ch for ch in value.upper() if ch.isalnum())
        return hmac.new(self.hmac_key, f"{kind}:{normalized}".encode(), hashlib.sha256).hexdigest()[:32]

    def sign(self, message: str) -> str:
        """HMAC of `message` (CSRF tokens and other server-made proofs)."""
        return hmac.new(self.hmac_key, message.encode(), hashlib.sha256).hexdigest()


def mask(value: str | None, visible: int = 4) -> str:
    """Show only the last `visible` characters: `*****6789`."""
    if not value:
        return ""
    tail = value[-visible:] if len(value) > visible + 2 else ""
    return "•" * max(len(value) - len(tail), 4) + tail
