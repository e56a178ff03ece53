"""The collector as a real process under steady load, killed with SIGKILL three times.

Every event it acknowledged must be in the store exactly once after the restarts: acknowledged
means fsync'd to the spool, and the spool is replayed on start. The load generator behaves like
a real shipper: a batch whose answer was lost is sent again, so dedupe is exercised too.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import orjson
from builders import free_port, make_event_dict

from core.paths import events_db, tokens_db
from core.tokens import TokenStore

BATCH = 200


class Shipper(threading.Thread):
    """Posts numbered batches; retries each batch until acknowledged; records acknowledged ids."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.token = token
        self.acked: list[str] = []
        self.sent: set[str] = set()
        self.retries = 0
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            number = 0
            while not self.stop.is_set():
                ids = [f"crash-{number:05d}-{i:03d}" for i in range(BATCH)]
                body = b"\n".join(orjson.dumps(make_event_dict(i, event__id=e)) for i, e in enumerate(ids))
                self.sent.update(ids)
                while not self.stop.is_set():
                    if self._post(client, body):
                        self.acked.extend(ids)
                        break
                    self.retries += 1
                    time.sleep(0.05)
                number += 1

    def _post(self, client: httpx.Client, body: bytes) -> bool:
        try:
            answer = client.post(self.url, content=body, headers={
                "Authorization": f"Bearer {self.token}", "Content-Type": "application/x-ndjson"})
        except httpx.HTTPError:
            return False
        return answer.status_code == 200 and answer.json()["accepted"] == BATCH


def _start(data_dir: Path, port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "collector", "--data-dir", str(data_dir), "--port", str(port)],
        stdout=log.open("ab"), stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        assert process.poll() is None, log.read_text()[-2000:]
        time.sleep(0.1)
    process.kill()
    raise AssertionError("collector did not start: " + log.read_text()[-2000:])


def _wait_for_acks(shipper: Shipper, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(shipper.acked) < count:
        assert time.monotonic() < deadline, f"load stalled at {len(shipper.acked)} acknowledged events"
        time.sleep(0.05)


def _wait_drained(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
        if health["spool_backlog_bytes"] == 0 and health["queued_batches"] == 0:
            return
        time.sleep(0.1)
    raise AssertionError(f"collector did not drain: {health}")


def test_acknowledged_events_survive_three_sigkills_exactly_once(tmp_path):
    data_dir = tmp_path / "data"
    tokens = TokenStore(tokens_db(data_dir))
    token = tokens.create("ingest", "crash-test")
    tokens.close()
    port = free_port()
    log = tmp_path / "collector.log"
    process = _start(data_dir, port, log)
    shipper = Shipper(f"http://127.0.0.1:{port}/v1/events", token)
    shipper.start()
    acked_before_kill = []
    try:
        for _ in range(3):
            _wait_for_acks(shipper, len(shipper.acked) + 3 * BATCH)  # mid-stream, whatever the load
            acked_before_kill.append(len(shipper.acked))
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            process = _start(data_dir, port, log)
        _wait_for_acks(shipper, len(shipper.acked) + 3 * BATCH)
        shipper.stop.set()
        shipper.join(10)
        _wait_drained(port)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)

    assert all(b > a for a, b in zip([0, *acked_before_kill], acked_before_kill)), acked_before_kill
    with sqlite3.connect(events_db(data_dir)) as db:
        stored = [row[0] for row in db.execute("SELECT id FROM events")]
    assert len(stored) == len(set(stored))
    missing = set(shipper.acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:3]}"
    assert set(stored) <= shipper.sent
    assert "Traceback" not in log.read_text()
