"""The one interface every detector family implements, and the config they are built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from core.alert import Alert
from core.event import Event


@runtime_checkable
class Detector(Protocol):
    """Reads events in event-time order; returns the alerts each one completes.

    State advances on `event.ts` only (never the wall clock) and is bounded by expiry and caps.
    Optional attributes `actions` and `datasets` (`frozenset[str] | None`): the `event.action` and
    `event.dataset` values the detector cares about; the engine then skips calling it for other
    events (None or absent: every event). Declare them only when the detector returns [] and keeps
    its state unchanged for every other event, so routing never changes what is detected.
    """

    name: str

    def process(self, event: Event) -> list[Alert]: ...


@runtime_checkable
class Flushable(Protocol):
    """Detectors that buffer (batch scoring) emit what is pending on flush: end of replay, idle bus."""

    def flush(self) -> list[Alert]: ...


@runtime_checkable
class Trainable(Protocol):
    """Anomaly models: learn from benign baseline events, save and load with their feature schema."""

    def observe_baseline(self, event: Event) -> None: ...

    def fit_baseline(self) -> None: ...

    def save(self, directory: Path) -> None: ...

    def load(self, directory: Path) -> bool:
        """Load a saved model from `directory`; False when none is there."""
        ...


@dataclass(slots=True)
class DetectorConfig:
    """What families are built from: rule files, model files, and which families to run."""

    rules_dirs: list[Path] = field(default_factory=list)
    models_dir: Path | None = None
    families: list[str] | None = None  # None = all
    only_rules: bool = False  # `replay --rules DIR`: Sigma and correlation rules from DIR only

