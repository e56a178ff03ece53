"""End-to-end pipeline under steady load: event-to-alert latency, throughput and memory over time.

The embedded SIEM (`mlm-siem serve-siem`: collector + in-process bus + detectors) runs as its own
process, as deployed; this process sends NDJSON batches at a fixed rate over HTTP, mixing benign
web events with a brute-force sequence every second, and polls the alert store for each sequence's
alert. Latency is from the moment the batch that completed a sequence was acknowledged to the
moment its alert is readable in the store. Figures are printed per minute (the soak view).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import orjson

from core.event import format_timestamp
from core.paths import events_db, tokens_db
from core.store.sqlite import SqliteStore
from core.tokens import TokenStore

RATE = 5_000  # events per second
BATCH = 250


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _event(seq: int, now: float, **fields: object) -> bytes:
    doc = {
        "@timestamp": format_timestamp(datetime.fromtimestamp(now, tz=timezone.utc)),
        "event": {"id": f"bench-{seq}", "kind": "event", "dataset": "mlm.http", "action": "http_request",
                  "category": ["web"], "type": ["access"], "outcome": "success"},
        "service": {"name": "mlm_app"},
        "source": {"ip": f"198.18.{(seq >> 8) & 255}.{seq & 255}"},
        "user_agent": {"original": "Mozilla/5.0 bench"},
        "http": {"request": {"method": "GET"}, "response": {"status_code": 200}},
        "url": {"path": "/shop"},
    }
    for key, value in fields.items():
        node = doc
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return orjson.dumps(doc)


def _failed_login(seq: int, now: float, user: str) -> bytes:
    return _event(seq, now, **{"event.dataset": "mlm.auth", "event.action": "login", "event.outcome": "failure",
                               "event.category": ["authentication"], "event.type": ["start"],
                               "user.name": user, "mlm.auth.failure_reason": "bad_password",
                               "source.ip": "203.0.113.9"})


class AlertWatcher(threading.Thread):
    """Polls the alert store and notes when each brute-force victim's alert first appears."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.store = SqliteStore(db)
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        cursor = 0
        while not self.stop.is_set():
            alerts, cursor = self.store.alerts_after(cursor)
            now = time.monotonic()
            for alert in alerts:
                self.seen.setdefault(alert.entity_value, now)
            self.stop.wait(0.02)


def run(quick: bool = False) -> dict[str, object]:
    seconds = int(os.environ.get("BENCH_PIPELINE_SECONDS", 40 if quick else 600))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        token = TokenStore(tokens_db(data)).create("ingest", "bench")
        port = _free_port()
        siem = subprocess.Popen([sys.executable, "-m", "mlm_siem", "serve-siem", "--data-dir", tmp, "--port",
                                 str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            return _drive(data, port, token, siem, seconds)
        finally:
            siem.terminate()
            siem.wait(20)


def _drive(data: Path, port: int, token: str, siem: subprocess.Popen, seconds: int) -> dict[str, object]:
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                          headers={"authorization": f"Bearer {token}", "content-type": "application/x-ndjson"})
    for _ in range(200):
        try:
            if client.get("/health").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    watcher = AlertWatcher(events_db(data))
    watcher.start()
    sent_at: dict[str, float] = {}
    minute_rows: list[str] = []
    seq, start = 0, time.monotonic()
    interval = BATCH / RATE
    minute_start, minute_events, minute_users = start, 0, []
    while (elapsed := time.monotonic() - start) < seconds:
        now = time.time()
        lines = []
        user = None
        if int(elapsed) != int(elapsed - interval) or seq == 0:  # once per second: a brute force
            user = f"bench-user-{int(elapsed)}"
            lines += [_failed_login(seq + i, now, user) for i in range(10)]
            seq += 10
        lines += [_event(seq + i, now) for i in range(BATCH - len(lines))]
        seq += BATCH - (10 if user else 0)
        answer = client.post("/v1/events", content=b"\n".join(lines))
        if user and answer.status_code == 200:
            sent_at[user] = time.monotonic()
            minute_users.append(user)
        minute_events += len(lines)
        if time.monotonic() - minute_start >= 60:
            minute_rows.append(_minute_row(len(minute_rows) + 1, minute_events, minute_start, minute_users,
                                           sent_at, watcher, siem.pid))
            minute_start, minute_events, minute_users = time.monotonic(), 0, []
        time.sleep(max(0.0, start + (seq / RATE) - time.monotonic()))
    if minute_events:  # the last, partial minute
        minute_rows.append(_minute_row(len(minute_rows) + 1, minute_events, minute_start, minute_users,
                                       sent_at, watcher, siem.pid))
    time.sleep(3)
    watcher.stop.set()
    latencies = sorted(watcher.seen[u] - t for u, t in sent_at.items() if u in watcher.seen)
    figures: dict[str, object] = {f"minute {i + 1}": row for i, row in enumerate(minute_rows)}
    figures.update({
        "events sent": seq, "offered rate (events/s)": RATE, "achieved rate (events/s)": round(seq / seconds),
        "brute-force sequences": len(sent_at), "alerts seen": len(latencies),
        "latency p50 (ms)": round(1000 * _pct(latencies, 50)) if latencies else None,
        "latency p99 (ms)": round(1000 * _pct(latencies, 99)) if latencies else None,
        "siem peak RSS (MB)": round(_rss_mb(siem.pid)),
    })
    return figures


def _pct(values: list[float], pct: float) -> float:
    return values[min(len(values) - 1, int(len(values) * pct / 100))]


def _minute_row(index: int, events: int, started: float, users: list[str], sent_at: dict[str, float],
                watcher: AlertWatcher, pid: int) -> str:
    time.sleep(0.5)
    lat = sorted(watcher.seen[u] - sent_at[u] for u in users if u in watcher.seen)
    rate = events / max(0.001, time.monotonic() - started)
    p50 = f"{1000 * statistics.median(lat):.0f}" if lat else "-"
    p99 = f"{1000 * _pct(lat, 99):.0f}" if lat else "-"
    return (f"{rate:,.0f} ev/s, RSS {_rss_mb(pid):.0f} MB, alerts {len(lat)}/{len(users)}, "
            f"latency p50 {p50} ms p99 {p99} ms")
