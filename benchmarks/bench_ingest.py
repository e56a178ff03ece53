"""HTTP ingest throughput: batched NDJSON into a real collector process writing SQLite.

Counts from the first request to the moment every event is stored and published (the collector's
/health says so), and reports the collector's CPU seconds, so "events per core-second" holds even
when the load generator shares the machine. Peak RSS is the collector's VmHWM.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from core.paths import events_db, tokens_db
from core.tokens import TokenStore

BATCH = 1000
CLIENTS = 2
_PATHS = ["/login", "/shop/cart", "/api/orders", "/genealogy/tree", "/account/payouts"]


def _event(n: int) -> dict[str, Any]:
    """A realistic mlm.http event (~700 bytes), nested as the app ships it."""
    return {
        "@timestamp": f"2026-11-02T09:{(n // 60000) % 60:02d}:{(n // 1000) % 60:02d}.{n % 1000:03d}Z",
        "event": {"id": f"bench-{n:09d}", "kind": "event", "dataset": "mlm.http", "action": "http_request",
                  "category": ["web"], "type": ["access"], "outcome": "success", "duration": 1_250_000 + n % 997},
        "service": {"name": "mlm_app"},
        "source": {"ip": f"81.{n % 200}.{(n // 200) % 250}.{n % 250 + 1}"},
        "user_agent": {"original": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                   "(KHTML, like Gecko) Chrome/126.0 Safari/537.36"},
        "user": {"id": str(10_000 + n % 5000), "name": f"distributor{n % 5000}"},
        "mlm": {"device": {"id": f"dev-{n % 7000:06d}"}, "session": {"id": f"s{n % 9000:08x}"}},
        "http": {"request": {"method": "GET", "mime_type": "text/html", "referrer": "https://shop.example/"},
                 "response": {"status_code": 200, "body": {"bytes": 5120 + n % 300}}},
        "url": {"path": _PATHS[n % len(_PATHS)], "query": f"page={n % 40}&sort=price"},
    }


def _batches(total: int, random_ids: bool = False) -> list[bytes]:
    """NDJSON bodies of BATCH events; `random_ids` gives uuid4-like ids (as mlm_app sends) instead
    of ordered ones: every id index (dedupe, store) then takes a random insert per event."""
    rng = random.Random(4)
    events = (_event(n) for n in range(total))
    if random_ids:
        events = ({**e, "event": {**e["event"], "id": f"{rng.getrandbits(128):032x}"}} for e in events)
    lines = [orjson.dumps(e) for e in events]
    return [b"\n".join(lines[s:s + BATCH]) for s in range(0, total, BATCH)]


def _start(data_dir: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "collector", "--data-dir", str(data_dir), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("collector did not start")


def _post_all(url: str, token: str, batches: list[bytes]) -> int:
    """Post every batch from CLIENTS threads, retrying 429s as a shipper would; returns 429 count."""
    backoffs = [0]
    lock = threading.Lock()
    pending = list(reversed(batches))

    def worker() -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
        with httpx.Client(timeout=60) as client:
            while True:
                with lock:
                    if not pending:
                        return
                    body = pending.pop()
                while client.post(url, content=body, headers=headers).status_code == 429:
                    backoffs[0] += 1
                    time.sleep(0.05)

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return backoffs[0]


def _stored(data_dir: Path) -> int:
    """Events in the collector's SQLite store, read from outside (WAL allows a reader)."""
    with sqlite3.connect(events_db(data_dir), timeout=30) as db:
        return int(db.execute("SELECT count(*) FROM events").fetchone()[0])


def _proc_figures(pid: int) -> tuple[float, int]:
    """CPU seconds used and peak RSS (bytes) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return cpu, int(line.split()[1]) * 1024
    return cpu, 0


def _in_process(batches: list[bytes], timed: bool) -> tuple[float, dict[str, float]]:
    """The pipeline without HTTP, in this process: CPU seconds in all, and per stage when `timed`.

    Per-stage timers cost about half a microsecond per stage call themselves, so `timed` totals run
    higher than the untimed figure; they show where a core's time goes, not the absolute rate.
    """
    from collector.body import records
    from collector.cli import tune_gc
    from collector.enrich import warm_up
    from collector.pipeline import Pipeline
    from collector.settings import CollectorSettings
    from core.bus.memory import MemoryBus
    from core.geo import lookup
    from core.store import open_store

    spent: dict[str, float] = {}

    def clocked(name: str, func: Any) -> Any:
        def call(*args: Any) -> Any:
            began = time.process_time()
            try:
                return func(*args)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - began
        return call

    with tempfile.TemporaryDirectory() as tmp:
        settings = CollectorSettings(data_dir=Path(tmp))
        store = open_store(settings.resolved_store_url())
        pipeline = Pipeline(settings, store, MemoryBus(capacity=10_000_000))
        if timed:
            pipeline._record_stages = [clocked(s.name, s.func) for s in pipeline.stages if s.phase == "record"]
            pipeline.stages = [type(s)(s.name, s.phase, clocked(s.name, s.func)) for s in pipeline.stages]
            pipeline._drain_stages = [s for s in pipeline.stages if s.phase == "drain"]
        warm_up()  # the geo database loads at collector start (Pipeline.start), not per event
        lookup.cache_clear()  # every run pays for its geo lookups, as a fresh process would
        tune_gc()
        began = time.process_time()
        for body in batches:
            pipeline.ingest(records(body, "application/x-ndjson", BATCH))
            pipeline.drain_pending()
        cpu = time.process_time() - began
        pipeline.stop()
        store.close()
    return cpu, spent


def _stage_figures(batches: list[bytes], total: int) -> dict[str, object]:
    """In-process events per CPU-second (ordered and random ids), and CPU per event in each stage."""
    cpu, _ = _in_process(batches, timed=False)
    random_cpu, _ = _in_process(_batches(total, random_ids=True), timed=False)
    _, spent = _in_process(batches, timed=True)
    return {
        "in_process_events_per_cpu_s": round(total / cpu),
        "in_process_random_ids_events_per_cpu_s": round(total / random_cpu),
        "stage_cpu_us_per_event": {name: round(sec / total * 1e6, 1) for name, sec in spent.items()},
    }


def run(quick: bool) -> dict[str, object]:
    total = 40_000 if quick else 200_000
    batches = _batches(total)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        tokens = TokenStore(tokens_db(data_dir))
        token = tokens.create("ingest", "bench")
        tokens.close()
        sock_port = _free_port()
        process = _start(data_dir, sock_port)
        base = f"http://127.0.0.1:{sock_port}"
        try:
            cpu_before, _ = _proc_figures(process.pid)
            started = time.perf_counter()
            backoffs = _post_all(base + "/v1/events", token, batches)
            acked = time.perf_counter()
            while _stored(data_dir) < total:
                time.sleep(0.1)
            done = time.perf_counter()
            cpu_after, peak_rss = _proc_figures(process.pid)
        finally:
            process.terminate()
            process.wait(30)
    cpu = cpu_after - cpu_before
    return {
        "events": total,
        "batch_events": BATCH,
        "acknowledged_events_per_s": round(total / (acked - started)),
        "stored_events_per_s": round(total / (done - started)),
        "collector_cpu_s": round(cpu, 2),
        "events_per_collector_cpu_s": round(total / cpu) if cpu else None,
        "target_events_per_s": 20_000,
        "retries_after_429": backoffs,
        "collector_peak_rss_mb": round(peak_rss / 1_048_576, 1),
        **_stage_figures(batches[: len(batches) // 2], total // 2),
    }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
