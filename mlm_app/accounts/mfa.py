"""TOTP second factor (pyotp) with single-use recovery codes; secrets are encrypted at rest."""

from __future__ import annotations

import secrets
from datetime import datetime

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from mlm_app.accounts.models import RecoveryCode, User
from mlm_app.security.crypto import KeyRing

RECOVERY_CODES = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)


def _ctx(user: User, column: str) -> str:
    return f"app_users.{column}:{user.id}"


def start_enrolment(user: User, keys: KeyRing) -> str:
    """Make a new candidate secret (kept encrypted until confirmed); returns it for display."""
    secret = pyotp.random_base32()
    user.totp_pending_enc = keys.encrypt(secret, _ctx(user, "totp_pending"))
    return secret


def pending_secret(user: User, keys: KeyRing) -> str | None:
    if not user.totp_pending_enc:
        return None
    return keys.decrypt(user.totp_pending_enc, _ctx(user, "totp_pending"))


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def _match_counter(secret: str, code: str, now: datetime) -> int | None:
    """The time step a code belongs to (current or one step either side), or None."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for counter in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def confirm_enrolment(db: Session, user: User, code: str, keys: KeyRing, now: datetime) -> list[str] | None:
    """Activate the pending secret if `code` matches; returns fresh recovery codes, else None."""
    secret = pending_secret(user, keys)
    counter = _match_counter(secret, code, now) if secret else None
    if secret is None or counter is None:
        return None
    user.totp_secret_enc = keys.encrypt(secret, _ctx(user, "totp"))
    user.totp_pending_enc = None
    user.totp_last_counter = counter
    user.mfa_enabled = True
    user.must_reenrol_mfa = False
    return new_recovery_codes(db, user, keys)


def verify_totp(user: User, code: str, keys: KeyRing, now: datetime) -> bool:
    """Check a TOTP code; each code works once (the last used time step is remembered)."""
    if not user.mfa_enabled or not user.totp_secret_enc:
        return False
    counter = _match_counter(keys.decrypt(user.totp_secret_enc, _ctx(user, "totp")), code, now)
    if counter is None or (user.totp_last_counter is not None and counter <= user.totp_last_counter):
        return False
    user.totp_last_counter = counter
    return True


def _code_hash(keys: KeyRing, user: User, code: str) -> str:
    """Keyed hash of a recovery code: codes carry ~49 random bits, so a keyed fast hash suffices
    (an attacker with the database but not the key cannot test guesses offline)."""
    return keys.sign(f"recovery:{user.id}:{code}")


def new_recovery_codes(db: Session, user: User, keys: KeyRing) -> list[str]:
    """Replace the user's recovery codes; the plaintexts are returned once for display."""
    for old in db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.delete(old)
    codes = ["".join(secrets.choice(_CODE_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(keys, user, code)))
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def use_recovery_code(db: Session, user: User, code: str, keys: KeyRing, now: datetime) -> bool:
    """Spend one unused recovery code if `code` matches it."""
    code = code.strip().lower().replace("-", "").replace(" ", "")
    if len(code) != 10:
        return False
    rows = db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                 RecoveryCode.used_at.is_(None)))
    wanted = _code_hash(keys, user, code)
    for row in rows:
        if secrets.compare_digest(row.code_hash, wanted):
            row.used_at = now
            return True
    return False


def disable(db: Session, user: User) -> None:
    """Remove the second factor and its recovery codes (user choice or admin reset)."""
    user.mfa_enabled = False
    user.totp_secret_enc = None
    user.totp_pending_enc = None
    user.totp_last_counter = None
    for old in db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.delete(old)
