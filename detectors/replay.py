"""`mlm-siem replay`: run the detection pipeline over recorded NDJSON events in event-time order.

The contract (EVENTS.md): events are processed in `@timestamp` order with event time for every
window; `--baseline` fits models and warms stateful rules without writing their alerts; input may
be gzip-compressed; bad lines are counted and reported on stderr, never fatal; the same input gives
the same alerts byte for byte; a summary goes to stderr.

Ordering uses a bounded reorder buffer (a heap of `reorder` events): recordings are nearly sorted,
and a full sort would hold every parsed event in memory. Events later than the buffer can repair
are still processed, and counted as `late`.
"""

from __future__ import annotations

import gc
import gzip
import heapq
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from core.event import DEFAULT_LIMITS, Event, EventError, parse_timestamp
from detectors.engine import Engine

DEFAULT_REORDER = 10_000
MAX_REPORTED_BAD = 20  # bad lines printed individually; the rest are only counted
MAX_LINE_BYTES = DEFAULT_LIMITS.max_bytes + 1  # an event line may hold at most the largest event
READ_CHUNK = 1 << 20
_TIMESTAMP_RE = re.compile(rb'"@timestamp"\s*:\s*"([^"\\]{1,64})"')


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
    stream = open_input(path)
    try:
        for number, line in enumerate(_bounded_lines(stream), 1):
            stats.lines = number
            if line is None:
                stats.bad += 1
                _report_bad(stats, number, f"line longer than {MAX_LINE_BYTES} bytes", errors)
            elif line.strip():
                yield number, line
    except (OSError, EOFError, gzip.BadGzipFile) as exc:  # a truncated .gz loses only its tail
        stats.bad += 1
        _report_bad(stats, stats.lines + 1, f"unreadable input: {exc}", errors)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def parse_line(number: int, line: bytes, stats: ReadStats, errors: IO[str] | None = None) -> Event | None:
    """One event, or None after counting and reporting why the line was refused."""
    try:
        event = Event.from_json(line)
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


def _bounded_lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """Lines (without their newline) of at most MAX_LINE_BYTES; a longer one is dropped as it is read,
    never held whole, and stands as None. Input is read in large chunks and split at C speed."""
    read = getattr(stream, "read1", stream.read)  # read1: a pipe's bytes as they come, not a full chunk
    tail, oversized = b"", False
    while chunk := read(READ_CHUNK):
        lines = (tail + chunk).split(b"\n") if tail else chunk.split(b"\n")
        tail = lines.pop()
        if oversized and lines:  # the rest of a dropped line ends here
            oversized = False
            lines[0] = None  # type: ignore[call-overload]
        for line in lines:
            yield line if line is None or len(line) <= MAX_LINE_BYTES else None
        if len(tail) > MAX_LINE_BYTES:
            tail, oversized = b"", True
    if oversized:
        yield None
    elif tail:
        yield tail if len(tail) <= MAX_LINE_BYTES else None


def _report_bad(stats: ReadStats, number: int, reason: str, errors: IO[str] | None) -> None:
    # Reasons quote attacker input; EventError already bounds and repr-escapes it.
    message = f"{stats.path}:{number}: {reason[:300]!s}"
    if len(stats.bad_examples) < MAX_REPORTED_BAD:
        stats.bad_examples.append(message)
        if errors is not None:
            print(f"bad line {message}", file=errors)


def sort_key(line: bytes) -> float | None:
    """The line's @timestamp as epoch seconds, read without parsing the event (None if not found)."""
    if line.startswith(_LEADING_STAMP):  # how this product writes events: found without a search
        end = line.find(b'"', 15, 15 + 65)
        if end > 0:
            try:
                return parse_timestamp(line[15:end].decode()).timestamp()
            except (EventError, UnicodeDecodeError):
                pass  # the search below decides
    found = _TIMESTAMP_RE.search(line)
    if found is None:
        return None
    try:
        return parse_timestamp(found.group(1).decode()).timestamp()
    except (EventError, UnicodeDecodeError):
        return None


_LEADING_STAMP = b'{"@timestamp":"'


def events_in_time_order(path: str | Path, stats: ReadStats, errors: IO[str] | None = None,
                         reorder: int = DEFAULT_REORDER) -> Iterator[Event]:
    """Events by `@timestamp` (ties keep input order) through a heap of at most `reorder` lines.

    The heap holds raw lines and parses each on the way out, so the parsed event is fresh in the
    CPU cache when the detectors read it (holding 10k parsed events cost ~6 us per event).
    """
    heap: list[tuple[float, int, int, bytes | Event]] = []
    newest_out = float("-inf")

    def release(entry: tuple[float, int, int, bytes | Event]) -> Event | None:
        nonlocal newest_out
        _, _, number, held = entry
        event = held if type(held) is Event else parse_line(number, held, stats, errors)  # type: ignore[arg-type]
        if event is not None:
            if event.ts < newest_out:
                stats.late += 1
            else:
                newest_out = event.ts
        return event

    for seq, (number, line) in enumerate(read_lines(path, stats, errors)):
        key = sort_key(line)
        if key is None:  # unusual layout: parse now to learn the time
            parsed = parse_line(number, line, stats, errors)
            if parsed is None:
                continue
            entry: tuple[float, int, int, bytes | Event] = (parsed.ts, seq, number, parsed)
        else:
            entry = (key, seq, number, line)
        if len(heap) < reorder:
            heapq.heappush(heap, entry)
        elif (event := release(heapq.heappushpop(heap, entry))) is not None:  # push, then the oldest out
            yield event
    while heap:
        if (event := release(heapq.heappop(heap))) is not None:
            yield event


@contextmanager
def gc_tuned() -> Iterator[None]:
    """Fewer, cheaper GC passes while streaming: long-lived state is frozen out of collection, and
    young-generation passes are rarer (parsing allocates many short-lived dicts; FACTS.md)."""
    old = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


@dataclass(slots=True)
class ReplayResult:
    input: ReadStats
    baseline: ReadStats | None
    alerts: int
    alerts_by_category: Counter[str]
    seconds: float
    engine_stats: dict[str, Any]

    @property
    def events_per_second(self) -> float:
        return self.input.events / self.seconds if self.seconds > 0 else 0.0


def replay(engine: Engine, input_path: str | Path, out: IO[bytes], baseline: str | Path | None = None,
           reorder: int = DEFAULT_REORDER, errors: IO[str] | None = None) -> ReplayResult:
    """Warm on the baseline (no alerts written), then process the input and write alerts as NDJSON."""
    base_stats = None
    if baseline is not None:
        base_stats = ReadStats(str(baseline))
        engine.warm(events_in_time_order(baseline, base_stats, errors, reorder))
    stats = ReadStats(str(input_path))
    by_category: Counter[str] = Counter()
    written = 0
    started = time.perf_counter()
    with gc_tuned():
        for event in events_in_time_order(input_path, stats, errors, reorder):
            for alert in engine.process(event):
                out.write(alert.to_json() + b"\n")
                by_category[alert.category] += 1
                written += 1
        for alert in engine.flush():
            out.write(alert.to_json() + b"\n")
            by_category[alert.category] += 1
            written += 1
    out.flush()
    elapsed = time.perf_counter() - started
    return ReplayResult(stats, base_stats, written, by_category, elapsed, engine.stats())


def summary(result: ReplayResult) -> str:
    """The stderr summary: events read, bad and late lines, throughput, alerts by category, errors."""
    s = result.input
    lines = [
        (f"replay: {s.events:,} events read from {s.path} ({s.bad:,} bad lines, {s.late:,} late) "
         f"in {result.seconds:.2f} s: {result.events_per_second:,.0f} events/s"),
    ]
    if result.baseline is not None:
        b = result.baseline
        lines.append(f"baseline: {b.events:,} events from {b.path} ({b.bad:,} bad lines)")
    cats = ", ".join(f"{c} {n:,}" for c, n in sorted(result.alerts_by_category.items()))
    lines.append(f"alerts: {result.alerts:,}" + (f" ({cats})" if cats else ""))
    for family, reason in (result.engine_stats.get("build_errors") or {}).items():
        lines.append(f"warning: detector family {family} not loaded: {reason}")
    errors = result.engine_stats.get("detector_errors") or {}
    rule_errors = result.engine_stats.get("rule_errors") or {}
    if errors or rule_errors:
        lines.append(f"errors: detectors {dict(errors)}, rules {dict(rule_errors)} (see log)")
    return "\n".join(lines)
