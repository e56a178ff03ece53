"""Domain errors of the business services; the business route class turns them into responses."""

from __future__ import annotations


class BusinessError(Exception):
    """Base of every refusal a service raises (never an HTTPException)."""

    status = 400


class Invalid(BusinessError):
    """Bad input: a clear message for the user, nothing stored."""

    status = 422


class NotFound(BusinessError, LookupError):
    """No such record (also answered when a record exists but is not the caller's to see)."""

    status = 404


class Conflict(BusinessError):
    """The request is valid but the state forbids it (out of stock, already refunded...)."""

    status = 409


class AccessDenied(BusinessError):
    """The caller may not touch this distributor's data; audited as `access_denied`."""

    status = 404  # same answer as a missing record, so ids cannot be probed

    def __init__(self, target_id: str | None, reason: str = "not in your downline") -> None:
        super().__init__(reason)
        self.target_id = target_id
