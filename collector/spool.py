"""A write-ahead spool: accepted batches are appended and fsync'd before the client hears "accepted".

Layout: numbered segment files of framed records (`length, crc32, payload`) and a `checkpoint`
file naming the position after the last record that is stored and published. On open, records
after the checkpoint are replayed; appends always go to a fresh segment, so a torn record left by
a crash can only be the tail of an old segment, where replay stops.
"""

from __future__ import annotations

import fcntl
import logging
import os
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger(__name__)

_HEADER = struct.Struct(">II")  # payload length, crc32 of the payload
_SUFFIX = ".seg"
_CHECKPOINT = "checkpoint"
_LOCK = "lock"


class SpoolInUse(RuntimeError):
    """Another process already owns this spool directory."""


class Position(NamedTuple):
    """A point in the spool: segment number and byte offset inside it (ordered)."""

    segment: int
    offset: int


class Spool:
    """Append-only, fsync'd, segmented; thread-safe appends; one reader (the drainer)."""

    def __init__(self, directory: str | Path, segment_bytes: int = 16 * 1_048_576) -> None:
        self.directory = Path(directory)
        self.segment_bytes = segment_bytes
        self.directory.mkdir(parents=True, exist_ok=True)
        self._owner = _claim(self.directory / _LOCK)
        self._lock = threading.Lock()
        self._checkpoint = self._read_checkpoint()
        self._drop_segments_before(self._checkpoint.segment)
        self._replay_segments = [n for n in self._segments() if n >= self._checkpoint.segment and self._holds_work(n)]
        self.backlog_bytes = sum(self._pending_size(n) for n in self._replay_segments)
        self._segment = (self._replay_segments[-1] + 1) if self._replay_segments else self._checkpoint.segment + 1
        self._fd = self._open_segment(self._segment)
        self._size = 0

    # -- writing ------------------------------------------------------------------------------

    def append(self, payload: bytes) -> tuple[Position, int]:
        """Durably append one record; returns the position after it and the bytes it occupies."""
        record = _HEADER.pack(len(payload), zlib.crc32(payload)) + payload
        with self._lock:
            if self._size >= self.segment_bytes:
                self._roll()
            try:
                _write_all(self._fd, record)
                os.fdatasync(self._fd)
            except OSError:
                self._undo_partial_write()
                raise
            self._size += len(record)
            self.backlog_bytes += len(record)
            return Position(self._segment, self._size), len(record)

    def checkpoint(self, position: Position, done_bytes: int) -> None:
        """Mark everything before `position` as stored and published; drop finished segments.

        No fsync: a checkpoint lost in a power cut only means replaying batches the dedupe index
        already knows.
        """
        tmp = self.directory / (_CHECKPOINT + ".tmp")
        tmp.write_text(f"{position.segment} {position.offset}\n")
        os.replace(tmp, self.directory / _CHECKPOINT)
        with self._lock:
            self._checkpoint = position
            self.backlog_bytes = max(0, self.backlog_bytes - done_bytes)
        self._drop_segments_before(position.segment)

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            if self._owner >= 0:
                os.close(self._owner)  # releases the flock
                self._owner = -1

    # -- replay -------------------------------------------------------------------------------

    def pending(self) -> Iterator[tuple[Position, int, bytes]]:
        """Records left over from before this open, oldest first: (position after, size, payload)."""
        start = self._checkpoint
        for number in self._replay_segments:
            offset = start.offset if number == start.segment else 0
            yield from self._read_segment(number, offset)

    def _read_segment(self, number: int, offset: int) -> Iterator[tuple[Position, int, bytes]]:
        path = self._path(number)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return
        with handle:
            handle.seek(offset)
            while True:
                header = handle.read(_HEADER.size)
                if not header:
                    return
                payload = handle.read(_HEADER.unpack(header)[0]) if len(header) == _HEADER.size else b""
                if len(header) < _HEADER.size or not _intact(header, payload):
                    # A torn or damaged record was never acknowledged whole: nothing after it is
                    # trusted either, since framing is lost.
                    log.warning("spool segment %s: damaged record at byte %d; skipping the rest", number, offset)
                    self._forget(path.stat().st_size - offset)
                    return
                offset += _HEADER.size + len(payload)
                yield Position(number, offset), _HEADER.size + len(payload), payload

    def _forget(self, nbytes: int) -> None:
        with self._lock:
            self.backlog_bytes = max(0, self.backlog_bytes - nbytes)

    def _holds_work(self, number: int) -> bool:
        """False (and the file removed) for a closed segment with nothing left to replay."""
        if self._pending_size(number) > 0:
            return True
        self._path(number).unlink(missing_ok=True)
        return False

    def _pending_size(self, number: int) -> int:
        size = self._path(number).stat().st_size
        return size - self._checkpoint.offset if number == self._checkpoint.segment else size

    # -- files --------------------------------------------------------------------------------

    def _path(self, number: int) -> Path:
        return self.directory / f"{number:012d}{_SUFFIX}"

    def _segments(self) -> list[int]:
        names = (p.name.removesuffix(_SUFFIX) for p in self.directory.glob("*" + _SUFFIX))
        return sorted(int(n) for n in names if n.isdigit())

    def _read_checkpoint(self) -> Position:
        try:
            segment, offset = (self.directory / _CHECKPOINT).read_text().split()
            return Position(int(segment), int(offset))
        except (FileNotFoundError, ValueError):
            # No checkpoint (first start, or damaged): replay everything; dedupe absorbs repeats.
            first = self._segments()
            return Position(first[0] if first else 0, 0)

    def _drop_segments_before(self, number: int) -> None:
        for old in self._segments():
            if old < number:
                self._path(old).unlink(missing_ok=True)

    def _open_segment(self, number: int) -> int:
        fd = os.open(self._path(number), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the new file's name must survive a crash as well as its data
        finally:
            os.close(dir_fd)
        return fd

    def _roll(self) -> None:
        os.close(self._fd)
        self._segment += 1
        self._fd = self._open_segment(self._segment)
        self._size = 0

    def _undo_partial_write(self) -> None:
        """After a failed write, cut the segment back so later records stay readable."""
        try:
            os.ftruncate(self._fd, self._size)
        except OSError:
            self._roll()


def _claim(path: Path) -> int:
    """Hold an exclusive flock on the spool for this process's life (the kernel drops it on a crash)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise SpoolInUse(f"spool {path.parent} is in use by another collector process") from None
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _intact(header: bytes, payload: bytes) -> bool:
    length, crc = _HEADER.unpack(header)
    return len(payload) == length and zlib.crc32(payload) == crc
