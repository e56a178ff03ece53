"""`python -m collector [--data-dir D] [--port P] ...`: the same as `mlm-siem serve-collector`."""

from __future__ import annotations

import argparse
import sys

from collector.cli import add_arguments, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m collector", description="Run the mlm-siem collector.")
    add_arguments(parser)
    return serve(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
