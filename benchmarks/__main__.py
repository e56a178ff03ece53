"""`make bench`: runs every benchmark module in this folder and prints its figures.

A benchmark module is `benchmarks/bench_*.py` with `run(quick: bool) -> dict[str, object]`.
`make bench ARGS="NAME"` runs only modules whose name contains NAME; `--quick` shortens runs.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    names = [a for a in argv if not a.startswith("-")]
    folder = Path(__file__).parent
    modules = sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.startswith("bench_"))
    failed = 0
    for name in modules:
        if names and not any(n in name for n in names):
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            figures = importlib.import_module(f"benchmarks.{name}").run(quick=quick)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            print(f"   FAILED: {type(exc).__name__}: {exc}", flush=True)
            failed += 1
            continue
        for key, value in figures.items():
            print(f"   {key}: {value}", flush=True)
        print(f"   (took {time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
