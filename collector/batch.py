"""The shapes the pipeline passes around: stages, batches, results, and back-pressure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collector.spool import Position
from collector.stages import Accepted


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    phase: str  # "record", "accept" or "drain"
    func: Callable[..., Any]


@dataclass(slots=True)
class Rejection:
    line: int
    reason: str
    too_large: bool = False


@dataclass(slots=True)
class IngestResult:
    accepted: int
    rejected: list[Rejection]


@dataclass(slots=True)
class Batch:
    """Accepted events on their way through the drain stages, with their place in the spool."""

    items: list[Accepted]
    position: Position
    nbytes: int


@dataclass(slots=True)
class Stats:
    accepted: int = 0
    stored: int = 0
    published: int = 0
    duplicates: int = 0


class Overloaded(RuntimeError):
    """Ingest refused for now (back-pressure); the caller answers 429 with Retry-After."""

    def __init__(self, reason: str, retry_after: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
