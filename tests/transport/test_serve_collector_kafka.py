"""`mlm-siem serve-collector` reads the raw Kafka topic when its bootstrap is configured (compose path)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import orjson
from builders import free_port, make_event_dict

from core.store.sqlite import SqliteStore


def test_serve_collector_ingests_the_raw_topic(noida, kafka_bus, topic, tmp_path):
    env = {**os.environ, "MLM_SIEM_COLLECTOR_KAFKA_BOOTSTRAP": noida.kafka_bootstrap,
           "MLM_SIEM_COLLECTOR_KAFKA_RAW_TOPIC": topic, "MLM_SIEM_COLLECTOR_KAFKA_GROUP": f"g-{topic}",
           "MLM_SIEM_COLLECTOR_KAFKA_DEAD_LETTER_TOPIC": f"{topic}.dead"}
    process = subprocess.Popen([sys.executable, "-m", "mlm_siem", "serve-collector", "--data-dir", str(tmp_path),
                                "--port", str(free_port())], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        event = make_event_dict(event__id=f"raw-{topic}")
        kafka_bus.producer().publish(topic, [orjson.dumps(event)], [b"k"])
        store = SqliteStore(tmp_path / "events.db") if (tmp_path / "events.db").exists() else None
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            if store is None and (tmp_path / "events.db").exists():
                store = SqliteStore(tmp_path / "events.db")
            if store is not None and store.get_events([f"raw-{topic}"]):
                break
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            time.sleep(0.5)
        else:
            raise AssertionError("the raw-topic event never reached the store")
    finally:
        process.terminate()
        process.wait(20)
