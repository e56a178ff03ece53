"""Simulator commands: `demo` (live traffic), `simulate` (NDJSON worlds), `eval` (detection scores)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo", help="send demo traffic (benign visitors and attacks) to the MLM app")
    p.add_argument("--app-url", required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--collector-url", help="also post simulated business scenarios here "
                   "(ingest token from MLM_SIEM_DEMO_INGEST_TOKEN)")
    p.add_argument("--members", type=int, default=0, help="seeded distributors dist000001..N that visitors "
                   "sign in as (their password from MLM_SIEM_DEMO_PASSWORD)")
    p.add_argument("--run", type=int, default=0, help="start number: each run attacks from new addresses")
    p.add_argument("--attack-every", type=float, default=30.0, help="seconds between attack waves after "
                   "the first round")
    p.set_defaults(func=_demo)

    p = subparsers.add_parser("simulate", help="write a simulated world: baseline, test events, ground truth")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--distributors", type=int, default=1500)
    p.add_argument("--baseline-days", type=int, default=7)
    p.add_argument("--test-days", type=int, default=2)
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--world", choices=("sim", "alt"), default="sim", help="world generator (see eval)")
    p.set_defaults(func=_simulate)

    p = subparsers.add_parser("eval", help="score detection on simulated worlds over several seeds")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--distributors", type=int, default=1500)
    p.add_argument("--verbose", action="store_true", help="list false positives")
    p.add_argument("--world", choices=("sim", "alt"), default="sim", help="world generator: sim (written "
                   "with the detectors) or alt (independent, with hard negatives; see simulator/alt)")
    p.add_argument("--save", type=Path, help="write each seed's alerts.ndjson and truth.json here")
    p.set_defaults(func=_eval)


def _demo(args: argparse.Namespace) -> int:
    import logging

    from simulator.demo import run_demo

    logging.basicConfig(level=logging.INFO, format="%(asctime)s demo %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the log
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run_demo(args.app_url, stop, seed=args.seed, attack_every=args.attack_every, collector_url=args.collector_url,
             ingest_token=os.environ.get("MLM_SIEM_DEMO_INGEST_TOKEN"), members=args.members,
             password=os.environ.get("MLM_SIEM_DEMO_PASSWORD"), run=args.run)
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from simulator.evaluate import world_generator
    from simulator.world import write

    generate = world_generator(args.world)
    world = generate(args.seed, args.distributors, args.baseline_days, args.test_days)
    paths = write(world, Path(args.out))
    negatives = getattr(world, "negatives", None)
    if negatives:  # the alt world's planted hard negatives go next to the scenarios, for triage
        import orjson

        truth = orjson.loads(paths["truth"].read_bytes())
        truth["negatives"] = [t.to_dict() for t in negatives]
        paths["truth"].write_bytes(orjson.dumps(truth, option=orjson.OPT_INDENT_2))
    print(f"{len(world.baseline)} baseline events, {len(world.events)} test events, "
          f"{len(world.truth)} scenarios", file=sys.stderr)
    for name, path in paths.items():
        print(f"{name}: {path}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from simulator.evaluate import evaluate

    _, text = evaluate(args.seeds, args.distributors, verbose=args.verbose, world_name=args.world,
                       save=args.save)
    print(text)
    return 0
