"""Quarantine: events the pipeline could not deliver are set aside in a file, never silently lost."""

from __future__ import annotations

import logging
import threading
import traceback
from pathlib import Path

import orjson

log = logging.getLogger(__name__)


def loggable(text: str, limit: int = 200) -> str:
    """Attacker-controlled text made safe for one log line: cut short, control characters escaped."""
    return text[:limit].encode("unicode_escape").decode("ascii")


def log_crash(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Log an unexpected exception: its type, an escaped message and our own stack frames."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("%s: %s: %s\n%s", what, type(exc).__name__, loggable(str(exc)), frames)


class Quarantine:
    """An append-only NDJSON file of `{"reason", "line"}` records, capped in size."""

    def __init__(self, path: str | Path, max_bytes: int = 64 * 1_048_576) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    def add(self, line: bytes, reason: str) -> None:
        """Keep one line with the reason it was set aside."""
        record = orjson.dumps({"reason": reason[:500], "line": line.decode("utf-8", "replace")}) + b"\n"
        with self._lock:
            size = self.path.stat().st_size if self.path.exists() else 0
            if size + len(record) > self.max_bytes:
                log.error("quarantine file is full; dropping a record (%s)", loggable(reason, 100))
                return
            with self.path.open("ab") as handle:
                handle.write(record)
        log.warning("quarantined one event: %s", loggable(reason))

    def lines(self) -> list[dict[str, str]]:
        """Everything quarantined so far (for tests and operators)."""
        if not self.path.exists():
            return []
        return [orjson.loads(raw) for raw in self.path.read_bytes().splitlines() if raw]
