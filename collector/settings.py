"""The collector's one settings object, read from `MLM_SIEM_COLLECTOR_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.event import Limits
from core.paths import store_url as default_store_url

MIB = 1_048_576


class CollectorSettings(BaseSettings):
    """Where the collector keeps its files, what it talks to, and how much it accepts."""

    model_config = SettingsConfigDict(env_prefix="MLM_SIEM_COLLECTOR_", extra="ignore")

    data_dir: Path = Path("data")
    store_url: str | None = None  # None: SQLite in data_dir (core.paths.store_url)
    bus_url: str = "memory://"
    host: str = "127.0.0.1"
    port: int = Field(8001, ge=0, le=65535)

    # Bounds on one request. A decompressed body may hold many lines; each line is one event.
    # A parsed event costs ~14 KB of memory, so max_lines x max_concurrent_ingests bounds the
    # memory requests in flight can take (10,000 x 2 x 14 KB = 280 MB at most; shippers send
    # batches of 200 by default and at most 10,000: mlm_app.settings.shipper_batch).
    max_body_bytes: int = Field(16 * MIB, ge=1024)
    max_line_bytes: int = Field(MIB, ge=256)
    max_lines: int = Field(10_000, ge=1)
    max_concurrent_ingests: int = Field(2, ge=1)
    ingest_wait_seconds: float = Field(2.0, ge=0)  # wait this long for a free slot, then 429
    max_depth: int = Field(8, ge=2, le=64)
    max_fields: int = Field(512, ge=8)
    max_string: int = Field(65_536, ge=64)
    max_list: int = Field(256, ge=1)

    # Durable spool: accepted batches are fsync'd here before the HTTP answer.
    spool_dir: Path | None = None  # None: data_dir/collector/spool
    spool_segment_bytes: int = Field(16 * MIB, ge=4096)
    # Over this many bytes accepted but not yet stored and published, ingest answers 429. Queued
    # events are held parsed in memory for the drainer, ~14 KB each against ~0.85 KB spooled
    # (measured), so 8 MiB of backlog is ~10,000 events and ~140 MB.
    spool_high_water_bytes: int = Field(8 * MIB, ge=4096)

    # A retried request or a replayed spool batch inside this window is stored and published once.
    dedupe_window_seconds: int = Field(3600, ge=1)
    # How many events the drainer writes to the store in one transaction at most: queued batches
    # are merged up to this. 10,000 against 5,000 saves ~1.3 us of store CPU per event (fewer
    # commits, index pages written once per transaction); the spool high-water mark already
    # bounds what is queued to about this many events.
    drain_batch_events: int = Field(10_000, ge=1)

    def resolved_store_url(self) -> str:
        """The store URL, defaulting to the SQLite file in the data directory."""
        return self.store_url or default_store_url(self.data_dir)

    def work_dir(self) -> Path:
        """The collector's own folder inside the data directory (dedupe index, quarantine)."""
        return self.data_dir / "collector"

    def resolved_spool_dir(self) -> Path:
        return self.spool_dir or self.work_dir() / "spool"

    def limits(self) -> Limits:
        """The per-event bounds handed to core.event validation."""
        return Limits(
            max_bytes=self.max_line_bytes,
            max_depth=self.max_depth,
            max_fields=self.max_fields,
            max_string=self.max_string,
            max_list=self.max_list,
        )
