"""The detectors' one settings object, read from `MLM_SIEM_DETECTORS_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.paths import store_url as default_store_url
from detectors.base import DetectorConfig


class DetectorSettings(BaseSettings):
    """What the distributed detector worker reads from, writes to, and serves its health on."""

    model_config = SettingsConfigDict(env_prefix="MLM_SIEM_DETECTORS_", extra="ignore")

    data_dir: Path = Path("data")
    store_url: str | None = None  # None: SQLite in data_dir (core.paths.store_url)
    bus_url: str = "memory://"
    # all: every detector (one worker, or the embedded stack); entity: the per-user detectors, scaled
    # by running replicas in one group; global: the cross-user ones, exactly one replica (detectors/scope.py).
    scope: Literal["all", "entity", "global"] = "all"
    group: str | None = None  # the consumer group; None: `detectors`, or `detectors-global` for global
    rules_dirs: list[Path] = Field(default_factory=list)  # empty: the packaged rule pack
    models_dir: Path | None = None  # None: data_dir/models when it exists
    families: list[str] | None = None  # None: every family
    host: str = "127.0.0.1"
    health_port: int = Field(default=8610, ge=0, le=65535)
    poll_records: int = Field(default=500, ge=1, le=100_000)
    idle_flush_seconds: float = Field(default=2.0, gt=0)
    # The dashboard publishes disabled rules here (its MLM_SIEM_DASHBOARD_RULE_STATE_FILE); None: data_dir.
    rule_state_file: Path | None = None

    def resolved_group(self) -> str:
        """The consumer group: entity and global workers must never share one (each would see half)."""
        return self.group or ("detectors-global" if self.scope == "global" else "detectors")

    def resolved_rule_state_file(self) -> Path:
        return self.rule_state_file or Path(self.data_dir) / "rule_state.json"

    def resolved_store_url(self) -> str:
        return self.store_url or default_store_url(self.data_dir)

    def detector_config(self) -> DetectorConfig:
        """Rules, families and models; models default to data_dir/models when `mlm-siem train` put them there."""
        models = self.models_dir
        if models is None and (Path(self.data_dir) / "models").is_dir():
            models = Path(self.data_dir) / "models"
        return DetectorConfig(rules_dirs=list(self.rules_dirs), models_dir=models, families=self.families)
