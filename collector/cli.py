"""`mlm-siem serve-collector`: the collector as a standalone process."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from collector.settings import CollectorSettings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the collector's commands to the `mlm-siem` command."""
    parser = subparsers.add_parser("serve-collector", help="run the collector (HTTP ingest) on its own")
    add_arguments(parser)
    parser.set_defaults(func=serve)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="data directory (default: MLM_SIEM_COLLECTOR_DATA_DIR or ./data)")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8600)")
    parser.add_argument("--store-url", help="event store URL (default: SQLite in the data directory)")
    parser.add_argument("--bus-url", help="bus URL (default memory://)")


def build_settings(args: argparse.Namespace) -> CollectorSettings:
    """Settings from the environment, overridden by whatever flags were given."""
    overrides: dict[str, Any] = {}
    for flag in ("data_dir", "host", "port", "store_url", "bus_url"):
        value = getattr(args, flag, None)
        if value is not None:
            overrides[flag] = Path(value) if flag == "data_dir" else value
    return CollectorSettings(**overrides)


def serve(args: argparse.Namespace) -> int:
    """Open the store, bus and tokens, then serve until interrupted (SIGINT/SIGTERM)."""
    import uvicorn

    from collector.main import create_app
    from core.bus import open_bus
    from core.paths import tokens_db
    from core.store import open_store
    from core.tokens import TokenStore

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    tune_gc()
    settings = build_settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.resolved_store_url())
    bus = open_bus(settings.bus_url)
    tokens = TokenStore(tokens_db(settings.data_dir))
    if settings.bus_url.startswith("memory://"):
        _discard_published(bus)
    from collector.kafka_ingest import start_from_env

    # The raw Kafka topic (distributed deployment) is read beside HTTP ingest when configured.
    kafka_ingest = start_from_env(store, settings.work_dir())
    try:
        app = create_app(settings, store, bus, tokens)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)
    finally:
        if kafka_ingest is not None:
            kafka_ingest.stop()
        tokens.close()
        bus.close()
        store.close()
    return 0


def tune_gc() -> None:
    """Fewer garbage-collector passes: the spool queue keeps thousands of parsed events alive, and
    with default thresholds collections over them cost about a third of the ingest CPU (measured
    with /tmp-free microbenchmarks, see benchmarks/bench_ingest.py and FACTS.md)."""
    import gc

    gc.freeze()  # what is alive at start (frameworks, the geo database) is never garbage
    gc.set_threshold(10_000, 20, 100)


def _discard_published(bus: Any) -> None:
    """A lone collector on an in-process bus has no detectors behind it: consume and drop.

    Without a consumer the in-process topic would fill up and ingest would answer 429 for ever.
    """
    import threading

    from core.bus import EVENTS_TOPIC

    logging.getLogger(__name__).warning(
        "standalone collector on the in-process bus: events are stored but reach no detectors "
        "(use a kafka:// bus URL, or `mlm-siem up`, to run detection)")
    consumer = bus.consumer(EVENTS_TOPIC, "discard")

    def drain() -> None:
        # Small polls, each committed: the in-process log is then trimmed often and reading its
        # head stays cheap (polling 10,000 at once cost a tenth of the collector's CPU).
        while True:
            if consumer.poll(max_records=500, timeout=1.0):
                consumer.commit()

    threading.Thread(target=drain, name="discard-published", daemon=True).start()
