"""PII logic: validate, encrypt, fingerprint, mask and (for permitted staff) unmask."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from mlm_app.accounts.models import User
from mlm_app.security.crypto import KeyRing, mask

PII_FIELDS = {"tax_id": "tax_id_enc", "birth_date": "birth_date_enc", "bank_account": "bank_account_enc"}
# Who may see each field unmasked: support verifies identity, finance pays money out.
UNMASK_ROLES = {"tax_id": ("admin", "support"), "birth_date": ("admin", "support"),
                "bank_account": ("admin", "finance")}
_BANK_RE = re.compile(r"^[A-Z0-9 -]{6,40}$")
_TAX_RE = re.compile(r"^[0-9A-Z-]{4,20}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")


class PIIError(ValueError):
    """A personal detail was refused (format)."""


def context(user_id: str, field: str) -> str:
    """Associated data binding a ciphertext to its row and column."""
    return f"app_users.{field}:{user_id}"


def read(user: User, field: str, keys: KeyRing) -> str | None:
    token = getattr(user, PII_FIELDS[field])
    return keys.decrypt(token, context(user.id, field)) if token else None


def _store(user: User, field: str, value: str, keys: KeyRing) -> None:
    setattr(user, PII_FIELDS[field], keys.encrypt(value, context(user.id, field)))


def set_tax_id(user: User, value: str, keys: KeyRing) -> None:
    value = value.strip().upper()
    if not _TAX_RE.match(value):
        raise PIIError("tax id must be 4-20 letters, digits or dashes")
    _store(user, "tax_id", value, keys)


def set_birth_date(user: User, value: str, keys: KeyRing) -> None:
    try:
        born = date.fromisoformat(value.strip())
    except ValueError:
        raise PIIError("birth date must be YYYY-MM-DD") from None
    if not date(1900, 1, 1) <= born <= date.today():
        raise PIIError("birth date is out of range")
    _store(user, "birth_date", born.isoformat(), keys)


def set_bank_account(user: User, value: str, keys: KeyRing, now: datetime) -> tuple[str, str | None]:
    """Store a new bank account; returns (new fingerprint, previous fingerprint)."""
    value = value.strip().upper()
    if not _BANK_RE.match(value) or sum(ch.isdigit() for ch in value) < 6:
        raise PIIError("bank account must be 6-40 letters and digits")
    previous = user.bank_fingerprint
    _store(user, "bank_account", value, keys)
    user.bank_fingerprint = keys.fingerprint(value, "bank")
    user.bank_changed_at = now
    return user.bank_fingerprint, previous


@dataclass(frozen=True)
class MaskedPII:
    tax_id: str
    birth_date: str
    bank_account: str
    bank_fingerprint: str


def masked(user: User, keys: KeyRing) -> MaskedPII:
    """Every PII field masked (what every page shows by default)."""
    birth = read(user, "birth_date", keys)
    return MaskedPII(mask(read(user, "tax_id", keys)), ("••••-••-" + birth[-2:]) if birth else "",
                     mask(read(user, "bank_account", keys)), (user.bank_fingerprint or "")[:12])


def may_unmask(role: str, field: str) -> bool:
    return role in UNMASK_ROLES.get(field, ())
