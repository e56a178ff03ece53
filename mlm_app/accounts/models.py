"""Tables of the accounts domain. PII columns hold AES-GCM ciphertext (see mlm_app.security.crypto)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mlm_app.db import Base, UTCDateTime, utcnow

ROLES = ("admin", "support", "finance", "distributor")
STAFF_ROLES = ("admin", "support", "finance")


class User(Base):
    """A login account. Distributors have ids like `D000123` (equal to mlm.distributor.id);
    staff have ids like `S0001`."""

    __tablename__ = "app_users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="distributor")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | disabled | erased
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    failed_mfa: Mapped[int | None] = mapped_column(Integer, default=0)  # reset only by a passed factor
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lock_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_secret_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    totp_pending_enc: Mapped[str | None] = mapped_column(Text, nullable=True)  # during enrolment
    totp_last_counter: Mapped[int | None] = mapped_column(Integer, nullable=True)  # stops code replay
    mfa_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    must_reset_password: Mapped[bool] = mapped_column(Boolean, default=False)
    must_reenrol_mfa: Mapped[bool] = mapped_column(Boolean, default=False)
    payouts_held: Mapped[bool] = mapped_column(Boolean, default=False)
    payouts_held_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # PII, encrypted at rest ("v<key version>:<base64 nonce+ciphertext>"), masked on every view.
    tax_id_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    birth_date_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    bank_account_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    bank_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    bank_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # payout cool-off
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class AuthSession(Base):
    """A server-side session; the cookie carries a random token and only its SHA-256 is stored."""

    __tablename__ = "app_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    token_issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # After a periodic rotation the previous token keeps working briefly, so parallel requests
    # (a page and its stylesheet) that still carry it do not sign the user out.
    prev_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    prev_valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    mfa_failures: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    mfa_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    step_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(512), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RecoveryCode(Base):
    """One single-use MFA recovery code, stored as an argon2 hash."""

    __tablename__ = "app_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SignIn(Base):
    """Sign-in history shown in the security center (also evidence for support staff)."""

    __tablename__ = "app_signins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(512), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)


class BlockedIP(Base):
    """An address refused by middleware until `until` (None: until unblocked)."""

    __tablename__ = "app_blocked_ips"

    ip: Mapped[str] = mapped_column(String(45), primary_key=True)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ResponseRecord(Base):
    """Audit trail of SIEM response actions received on the admin response API."""

    __tablename__ = "app_response_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(128), index=True)
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(500))
    duration_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SecurityReport(Base):
    """A user's "report a security problem" submission."""

    __tablename__ = "app_security_reports"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PasswordReset(Base):
    """A single-use password reset link; only the SHA-256 of its token is stored."""

    __tablename__ = "app_password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
