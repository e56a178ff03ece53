"""Reading replay input: lines of a plain, gzip or piped NDJSON file, parsed into events.

Bad lines (unparseable, refused, oversized, an unreadable tail) are counted and reported, never
fatal. Lines are read in large chunks and handed on a chunk at a time: the replay loop pays one
generator step per chunk, not per line.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from core.event import DEFAULT_LIMITS, Event, EventError

MAX_REPORTED_BAD = 20  # bad lines printed individually; the rest are only counted
MAX_LINE_BYTES = DEFAULT_LIMITS.max_bytes + 1  # an event line may hold at most the largest event
READ_CHUNK = 1 << 20


@dataclass(slots=True)
class ReadStats:
    """What reading one input found."""

    path: str
    lines: int = 0
    events: int = 0
    bad: int = 0
    late: int = 0
    bad_examples: list[str] = field(default_factory=list)


def open_input(path: str | Path) -> IO[bytes]:
    """Open a file for binary line reading; gzip is recognised by its magic bytes, `-` is stdin."""
    if str(path) == "-":
        return sys.stdin.buffer
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def read_lines(path: str | Path, stats: ReadStats, errors: IO[str] | None = None) -> Iterator[tuple[int, bytes]]:
    """Non-blank lines and their numbers; oversized lines and an unreadable tail are counted as bad."""
    for batch in line_batches(path, stats, errors):
        yield from batch


def line_batches(path: str | Path, stats: ReadStats,
                 errors: IO[str] | None = None) -> Iterator[list[tuple[int, bytes]]]:
    """`read_lines` a chunk at a time: one generator step per chunk, not per line (each step costs)."""
    stream = open_input(path)
    try:
        for lines in _bounded_chunks(stream):
            batch = []
            number = stats.lines
            for line in lines:
                number += 1
                if line is None:
                    stats.bad += 1
                    _report_bad(stats, number, f"line longer than {MAX_LINE_BYTES} bytes", errors)
                elif line and not line.isspace():  # blank lines are skipped (isspace copies nothing)
                    batch.append((number, line))
            stats.lines = number
            yield batch
    except (OSError, EOFError, gzip.BadGzipFile) as exc:  # a truncated .gz loses only its tail
        stats.bad += 1
        _report_bad(stats, stats.lines + 1, f"unreadable input: {exc}", errors)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def parse_line(number: int, line: bytes, stats: ReadStats, errors: IO[str] | None = None,
               known_time: tuple[str | None, float] | None = None) -> Event | None:
    """One event, or None after counting and reporting why the line was refused. `known_time` is
    the line's @timestamp text and epoch seconds if already read (see `Event.from_json`)."""
    try:
        event = Event.from_json(line, known_time=known_time)
    except EventError as exc:
        stats.bad += 1
        _report_bad(stats, number, str(exc), errors)
        return None
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:  # a parser bug: still not fatal
        stats.bad += 1
        _report_bad(stats, number, f"unparseable ({type(exc).__name__})", errors)
        return None
    stats.events += 1
    return event


def read_events(path: str | Path, stats: ReadStats, errors: IO[str] | None = None) -> Iterator[Event]:
    """Parse events line by line, in file order; a bad line is counted and reported, then skipped."""
    for number, line in read_lines(path, stats, errors):
        event = parse_line(number, line, stats, errors)
        if event is not None:
            yield event


def _bounded_chunks(stream: IO[bytes]) -> Iterator[list[bytes | None]]:
    """Lines (without their newline) of at most MAX_LINE_BYTES, a list per chunk read; a longer line
    is dropped as it is read, never held whole, and stands as None. Input is read in large chunks
    and split at C speed."""
    read = getattr(stream, "read1", stream.read)  # read1: a pipe's bytes as they come, not a full chunk
    tail, oversized = b"", False
    while chunk := read(READ_CHUNK):
        buffer = tail + chunk if tail else chunk
        lines: list[bytes | None] = buffer.split(b"\n")  # type: ignore[assignment]
        tail = lines.pop()  # type: ignore[assignment]
        if lines and len(buffer) > MAX_LINE_BYTES and max(map(len, lines)) > MAX_LINE_BYTES:  # type: ignore[arg-type]
            lines = [line if len(line) <= MAX_LINE_BYTES else None for line in lines]  # type: ignore[arg-type]
        if oversized and lines:  # the rest of a dropped line ends here
            oversized = False
            lines[0] = None
        if lines:
            yield lines
        if len(tail) > MAX_LINE_BYTES:
            tail, oversized = b"", True
    if oversized:
        yield [None]
    elif tail:
        yield [tail if len(tail) <= MAX_LINE_BYTES else None]


def _report_bad(stats: ReadStats, number: int, reason: str, errors: IO[str] | None) -> None:
    # Reasons quote attacker input; EventError already bounds and repr-escapes it.
    message = f"{stats.path}:{number}: {reason[:300]!s}"
    if len(stats.bad_examples) < MAX_REPORTED_BAD:
        stats.bad_examples.append(message)
        if errors is not None:
            print(f"bad line {message}", file=errors)
