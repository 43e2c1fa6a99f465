"""`make bench`: runs every benchmarks/bench_*.py module's ``main()`` in turn and prints numbers.

Run one alone with ``python -m benchmarks NAME`` (e.g. ``python -m benchmarks text``).
Benchmarks that need ../shared data print a skip line when it is absent.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = argv or names
    failed = 0
    for name in wanted:
        if name not in names:
            print(f"unknown benchmark {name!r}; known: {', '.join(names)}", file=sys.stderr)
            return 2
        print(f"== {name} ==", flush=True)
        t0 = time.perf_counter()
        try:
            importlib.import_module(f"benchmarks.bench_{name}").main()
        except Exception as exc:  # a failing benchmark is reported, the others still run
            failed += 1
            print(f"!! {name} failed: {type(exc).__name__}: {exc}", flush=True)
        print(f"   ({time.perf_counter() - t0:.1f} s)\n", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
