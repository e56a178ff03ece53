"""Request and answer bodies of POST /api/admin/response."""

from __future__ import annotations

from pydantic import BaseModel, Field

ACTIONS = ("lock_account", "unlock_account", "revoke_sessions", "hold_payouts", "release_payouts",
           "block_ip", "unblock_ip", "force_password_reset", "force_mfa_reenrol")
IP_ACTIONS = ("block_ip", "unblock_ip")
# What undoes each action; None where the action cannot be undone (revoked sessions stay revoked).
REVERT = {"lock_account": "unlock_account", "unlock_account": "lock_account",
          "hold_payouts": "release_payouts", "release_payouts": "hold_payouts",
          "block_ip": "unblock_ip", "unblock_ip": "block_ip",
          "revoke_sessions": None, "force_password_reset": None, "force_mfa_reenrol": None}


class ResponseRequest(BaseModel):
    action: str = Field(max_length=32)
    target: str = Field(min_length=1, max_length=64)
    duration_seconds: int | None = Field(default=None, ge=1, le=10 * 365 * 86400)
    reason: str = Field(default="", max_length=1000)
    request_id: str = Field(default="", max_length=128)


class Revert(BaseModel):
    action: str
    target: str


class ResponseAnswer(BaseModel):
    status: str = "done"
    action: str
    target: str
    revert: Revert | None
