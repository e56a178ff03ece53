"""Event store write and search speed (SQLite backend): events/s and CPU per event through write_events."""

from __future__ import annotations

import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from core.event import Event, format_timestamp, nest
from core.store import EventQuery
from core.store.sqlite import SqliteStore

T0 = datetime(2026, 11, 2, tzinfo=timezone.utc)


def _events(n: int, seed: int = 7) -> list[Event]:
    """A mix of http and auth events shaped like the app's (random ids: the realistic index cost)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        flat = {
            "@timestamp": format_timestamp(T0 + timedelta(milliseconds=i * 10)),
            "event.id": f"{rng.getrandbits(64):016x}-{i}", "event.kind": "event",
            "event.dataset": "mlm.http", "event.action": "http_request", "event.category": ["web"],
            "event.outcome": "success", "service.name": "mlm_app",
            "source.ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
            "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120",
            "user.id": f"d-{rng.randrange(5000)}", "user.name": f"user{rng.randrange(5000)}",
            "http.request.method": "GET", "url.path": f"/api/orders/{rng.randrange(10**6)}",
            "url.query": f"page={rng.randrange(50)}&sort=date", "http.response.status_code": 200,
        }
        event = Event.from_dict(nest(flat))
        event.seal()  # as the collector hands them over: JSON bytes ready, nested dict released
        out.append(event)
    return out


def run(quick: bool) -> dict[str, object]:
    n = 20_000 if quick else 200_000
    events = _events(n)
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.db")
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(0, n, 10_000):
            store.write_events(events[i:i + 10_000])
        write_s, write_cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        for i in range(20):
            store.search_events(EventQuery(text=f"orders {i}", size=50))
            store.search_events(EventQuery(filters={"user.id": [f"d-{i}"]}, size=50))
        search_ms = (time.perf_counter() - started) / 40 * 1000
        store.close()
    return {"events": n, "write_events_per_s": round(n / write_s),
            "write_cpu_us_per_event": round(write_cpu / n * 1e6, 1), "search_ms_avg": round(search_ms, 2)}
