"""A bounded on-disk FIFO of NDJSON batches for when the collector is unreachable.

One file per batch (`<seq>.ndjson`); when the total passes the byte bound the oldest batches are
dropped and counted, so a long outage costs the oldest events, never the disk or the app.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


class DiskBuffer:
    """Append batches, read the oldest one, delete it once delivered."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)  # events hold personal data (addresses, names)
        self.max_bytes = max_bytes
        self.dropped_batches = 0
        self._lock = threading.Lock()
        files = self._files()
        self._seq = int(files[-1].stem) + 1 if files else 1
        self._bytes = sum(f.stat().st_size for f in files)
        self._count = len(files)

    def _files(self) -> list[Path]:
        return sorted((p for p in self.folder.glob("*.ndjson") if p.stem.isdigit()), key=lambda p: int(p.stem))

    def append(self, lines: list[bytes]) -> None:
        """Persist one batch of serialized events (each without its newline)."""
        data = b"\n".join(lines) + b"\n"
        with self._lock:
            path = self.folder / f"{self._seq:012d}.ndjson"
            self._seq += 1
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            self._bytes += len(data)
            self._count += 1
            if self._bytes > self.max_bytes:
                self._enforce_bound()

    def _enforce_bound(self) -> None:
        files = self._files()
        while self._bytes > self.max_bytes and len(files) > 1:
            oldest = files.pop(0)
            self._bytes -= oldest.stat().st_size
            oldest.unlink()
            self._count -= 1
            self.dropped_batches += 1

    def oldest(self) -> tuple[Path, list[bytes]] | None:
        """The oldest stored batch and its lines, or None when empty."""
        with self._lock:
            files = self._files()
            if not files:
                return None
            path = files[0]
            return path, [line for line in path.read_bytes().split(b"\n") if line]

    def remove(self, path: Path) -> None:
        with self._lock:
            try:
                self._bytes -= path.stat().st_size
                path.unlink()
                self._count -= 1
            except FileNotFoundError:
                pass

    def pending_batches(self) -> int:
        return self._count
