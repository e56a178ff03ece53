"""Password hashing with argon2id (argon2-cffi) at the OWASP minimum cost (19 MiB, t=2, p=1)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
MIN_LENGTH = 10
MAX_LENGTH = 256  # argon2 handles any length; the bound stops multi-megabyte "passwords".

# A real hash to verify against when the user does not exist, so timing does not reveal it.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-used-for-timing")


class WeakPasswordError(ValueError):
    """The proposed password does not meet the policy."""


def check_policy(password: str, username: str = "") -> None:
    """Refuse short, overlong or username-equal passwords."""
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"password must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPasswordError(f"password must be at most {MAX_LENGTH} characters")
    if username and password.lower() == username.lower():
        raise WeakPasswordError("password must differ from the username")


def hash_password(password: str) -> str:
    """An argon2id hash string of `password`."""
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; runs a full verification even without a stored hash."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
