"""The one typed settings object of the MLM app, from `MLM_APP_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AppSettings(BaseSettings):
    """Settings of mlm_app; built once at start (never at import)."""

    model_config = SettingsConfigDict(env_prefix="MLM_APP_", extra="ignore")

    data_dir: Path = Path("data/mlm_app")
    database_url: str | None = None  # default: SQLite file in data_dir; or postgresql+psycopg://...
    secret_key: str | None = None  # HMAC key for fingerprints; default: generated into data_dir/keys.json
    public_url: str | None = None  # e.g. https://shop.example.com, used in mailed links
    response_token: str | None = None  # bearer token of POST /api/admin/response (None: API disabled)

    shipper: Literal["auto", "http", "kafka", "off"] = "auto"  # auto: http when ingest_token is set
    collector_url: str = "http://127.0.0.1:8600"
    ingest_token: str | None = None
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_topic: str = "mlm.raw"  # the collector's raw ingest topic (it normalizes onto siem.events)
    shipper_batch: int = Field(default=200, ge=1, le=10_000)
    shipper_flush_seconds: float = Field(default=1.0, gt=0)
    shipper_queue: int = Field(default=10_000, ge=10)  # in-memory bound: overflow goes to disk
    shipper_buffer_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)  # on-disk bound

    trusted_proxies: list[str] = Field(default_factory=list)  # CIDRs whose X-Forwarded-For we believe
    secure_cookies: bool = False  # set when served over TLS (also enables HSTS)
    session_hours: float = 12.0
    session_idle_minutes: float = 60.0
    session_rotate_minutes: float = 15.0
    step_up_seconds: int = 300
    lockout_threshold: int = 5  # consecutive failures before the account locks
    lockout_minutes: float = 15.0
    cool_off_hours: float = 24.0  # payouts wait this long after a bank-account change
    ip_login_limit: int = 20  # login attempts per IP per minute before 429
    mfa_issuer: str = "MLM App"

    def db_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir) / 'app.db'}"
