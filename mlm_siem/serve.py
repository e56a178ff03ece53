"""`mlm-siem serve-siem`: the embedded SIEM process: collector, in-process bus and detectors.

In the embedded deployment the bus is in-process queues, so the collector and the detector worker
share one process; the MLM app and the dashboard run as their own processes and meet this one only
over HTTP and the event store.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

log = logging.getLogger("mlm_siem.serve")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve-siem", help="run collector + detectors with an in-process bus")
    p.add_argument("--data-dir", default="data")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--models", help="directory of trained models (mlm-siem train)")
    p.set_defaults(func=serve_siem)


def serve_siem(args: argparse.Namespace) -> int:
    import uvicorn

    from collector.cli import tune_gc
    from collector.main import create_app
    from collector.settings import CollectorSettings
    from core.bus.memory import MemoryBus
    from core.paths import tokens_db
    from core.store import open_store
    from core.tokens import TokenStore
    from detectors.base import DetectorConfig
    from detectors.engine import Engine
    from detectors.worker import DetectorWorker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s siem %(levelname)s %(name)s: %(message)s")
    settings = CollectorSettings(data_dir=args.data_dir, host=args.host, port=args.port)
    store = open_store(settings.resolved_store_url())
    bus = MemoryBus()
    tokens = TokenStore(tokens_db(args.data_dir))
    models = Path(args.models) if args.models else Path(args.data_dir) / "models"
    engine = Engine.build(DetectorConfig(models_dir=models if models.exists() else None))
    # Rules an analyst disabled on the dashboard stay quiet here too.
    worker = DetectorWorker(bus, store, engine, rule_state_path=Path(args.data_dir) / "rule_state.json")
    tune_gc()  # after start-up objects exist, so they are frozen out of every collection
    worker.start()
    try:
        app = create_app(settings, store, bus, tokens)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    finally:
        worker.stop()
        store.close()
    return 0
