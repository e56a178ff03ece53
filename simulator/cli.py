"""Simulator commands: `demo` drives a running MLM app with seeded traffic."""

from __future__ import annotations

import argparse
import signal
import threading


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo", help="send demo traffic (benign visitors and attacks) to the MLM app")
    p.add_argument("--app-url", required=True)
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    from simulator.demo import run_demo

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        run_demo(args.app_url, stop, seed=args.seed)
    except KeyboardInterrupt:
        pass
    return 0
