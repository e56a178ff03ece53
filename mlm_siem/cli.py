"""The `mlm-siem` command: a composition root; each package registers its own subcommands.

A package joins by having a `cli.py` with `register(subparsers)`; every subcommand sets
`func(args) -> int` on its parser.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

PACKAGES = (
    "mlm_siem.commands", "mlm_siem.up", "mlm_siem.serve", "collector.cli", "detectors.cli",
    "mlm_app.cli", "mlm_app.business.cli", "dashboard.cli", "simulator.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlm-siem", description="SIEM add-on for MLM platforms.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in PACKAGES:
        if not _exists(name):
            continue
        importlib.import_module(name).register(subparsers)
    return parser


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the parent package is absent
        return False


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    return int(func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
