"""Bus and Kafka ingest throughput: the in-process bus, and Kafka (noida stand-in) with kafka-python.

The Kafka figures are client-bound (FACTS.md: noida is no performance reference); they show what
batching NDJSON lines into messages buys: events/s through raw topic → collector → siem.events.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import orjson

from core.bus.memory import MemoryBus


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lines(n: int) -> list[bytes]:
    return [orjson.dumps({"@timestamp": f"2026-11-02T09:{i // 60 % 60:02d}:{i % 60:02d}Z",
                          "event": {"id": f"b-{i}", "dataset": "mlm.auth", "action": "login",
                                    "outcome": "failure"},
                          "user": {"id": f"d-{i % 500}", "name": f"user{i % 500}"},
                          "source": {"ip": f"10.0.{i % 250}.{i % 200}"}}) for i in range(n)]


def _memory(n: int) -> dict[str, object]:
    bus, values = MemoryBus(capacity=n + 1), [b"x" * 600] * n
    consumer = bus.consumer("t", "g")
    started = time.perf_counter()
    bus.producer().publish("t", values, [b"k"] * n)
    got = 0
    while got < n:
        got += len(consumer.poll(10_000, 0))
        consumer.commit()
    return {"memory_bus_messages_per_s": round(n / (time.perf_counter() - started))}


def _start_noida(tmp: Path) -> tuple[subprocess.Popen, str]:
    es, kafka = _free_port(), _free_port()
    binary = Path(sys.executable).parent / "noida-db"
    proc = subprocess.Popen([str(binary), "start", "--data-dir", str(tmp), "--only", "elasticsearch,kafka",
                             "--elasticsearch-port", str(es), "--kafka-port", str(kafka)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{es}", timeout=1)
            socket.create_connection(("127.0.0.1", kafka), timeout=1).close()
            return proc, f"127.0.0.1:{kafka}"
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("noida-db did not start")


def _kafka_ingest(bootstrap: str, tmp: Path, n: int, per_message: int) -> float:
    from collector.kafka_ingest import KafkaIngest, KafkaIngestSettings
    from core.bus.kafka import KafkaBus
    from core.store.sqlite import SqliteStore

    bus, lines = KafkaBus(bootstrap, partitions=3), _lines(n)
    topic = f"bench.raw.{per_message}"
    store = SqliteStore(tmp / f"events-{per_message}.db")
    settings = KafkaIngestSettings(raw_topic=topic, group=f"bench-{per_message}")
    ingest = KafkaIngest.from_bus(bus, store, settings, tmp / f"work-{per_message}")
    ingest.run_once(timeout=3)  # join the group before anything is published
    values = [b"\n".join(lines[i:i + per_message]) for i in range(0, n, per_message)]
    bus.producer().publish(topic, values, [str(i % 7).encode() for i in range(len(values))])
    started = time.perf_counter()
    deadline = time.monotonic() + 120
    while ingest.stats.accepted < n and time.monotonic() < deadline:
        ingest.run_once(timeout=1)
    elapsed = time.perf_counter() - started
    ingest.stop()
    store.close()
    return ingest.stats.accepted / elapsed


def run(quick: bool) -> dict[str, object]:
    n = 20_000 if quick else 100_000
    figures = _memory(n)
    with tempfile.TemporaryDirectory() as tmp:
        proc, bootstrap = _start_noida(Path(tmp) / "noida")
        try:
            for per_message in (1, 200):
                rate = _kafka_ingest(bootstrap, Path(tmp), n // (10 if per_message == 1 else 1), per_message)
                figures[f"kafka_ingest_events_per_s_{per_message}_per_message"] = round(rate)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
    return figures
