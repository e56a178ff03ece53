"""The dashboard's one typed settings object, read from `MLM_SIEM_DASHBOARD_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.paths import store_url as default_store_url
from core.paths import tokens_db

SEVERITY_ORDER = ("low", "medium", "high", "critical")
_RULES_DIR = Path(__file__).resolve().parent.parent / "detectors" / "rules"


class DashboardSettings(BaseSettings):
    """Everything the dashboard needs; built once at start, never at import."""

    model_config = SettingsConfigDict(env_prefix="MLM_SIEM_DASHBOARD_", extra="ignore")

    data_dir: Path = Path("data")
    store_url: str = ""  # empty: the embedded SQLite store in data_dir
    database_url: str = ""  # empty: sqlite file data_dir/dashboard.db; or postgresql+psycopg://...
    tokens_db: Path | None = None  # api tokens; empty: in the SIEM data dir (see siem_data_dir)
    rule_state_file: Path | None = None  # published rule state; empty: SIEM data dir/rule_state.json
    host: str = "127.0.0.1"
    port: int = 8300
    secret_key: SecretStr | None = None  # empty: generated once and kept in a 0600 file in data_dir
    cookie_secure: bool = False  # set true behind HTTPS so cookies never travel in clear text
    session_idle_seconds: int = 1800
    session_max_seconds: int = 12 * 3600
    # argon2id cost; defaults are argon2-cffi's (RFC 9106 low-memory profile). Lower only in tests.
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    login_max_failures: int = 5
    login_lockout_seconds: int = 900

    # MLM app admin API for response actions
    app_url: str = ""
    response_token: SecretStr | None = None
    response_policy: Path | None = None  # YAML profiles; none: no automatic responses

    # incidents: alerts of one entity and category within this window group together
    incident_window_seconds: int = 3600
    reopen_window_seconds: int = 24 * 3600
    poll_interval_seconds: float = 2.0  # how often the worker tails new alerts
    live_interval_seconds: float = 5.0  # how often open pages refresh their live lists
    worker_enabled: bool = True
    rules_dir: Path = _RULES_DIR

    # notifications
    webhook_url: str = ""
    webhook_min_severity: str = "high"
    webhook_categories: list[str] = []  # empty: every category
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = "mlm-siem@localhost"
    smtp_to: list[str] = []
    email_min_severity: str = "critical"
    email_categories: list[str] = []
    notify_throttle_seconds: int = 300  # one message per channel and category per window

    @field_validator("webhook_min_severity", "email_min_severity")
    @classmethod
    def _known_severity(cls, value: str) -> str:
        if value not in SEVERITY_ORDER:
            raise ValueError(f"must be one of {', '.join(SEVERITY_ORDER)}")
        return value

    def resolved_store_url(self) -> str:
        """The event store URL, defaulting to the embedded store in data_dir."""
        return self.store_url or default_store_url(self.data_dir)

    def siem_data_dir(self) -> Path:
        """The SIEM's shared data dir (the one `mlm-siem token create --data-dir D` and the detectors
        use): the folder of the embedded event store, which may differ from the dashboard's data_dir."""
        url = self.resolved_store_url()
        if url.startswith("sqlite:///"):
            return Path(url.removeprefix("sqlite:///")).parent
        return Path(self.data_dir)

    def resolved_tokens_db(self) -> Path:
        return Path(self.tokens_db) if self.tokens_db is not None else tokens_db(self.siem_data_dir())

    def resolved_rule_state_file(self) -> Path:
        """Where the detectors read disabled rules and suppressions (`rule_state.json`)."""
        return (
            Path(self.rule_state_file) if self.rule_state_file else self.siem_data_dir() / "rule_state.json"
        )

    def resolved_database_url(self) -> str:
        """The dashboard's own database URL, defaulting to a SQLite file in data_dir."""
        return self.database_url or f"sqlite:///{Path(self.data_dir) / 'dashboard.db'}"
