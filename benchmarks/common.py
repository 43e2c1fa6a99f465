"""Helpers the benchmarks share: where ../shared is, peak memory, the ANT corpus reader."""

from __future__ import annotations

import gzip
import json
import resource
import sys
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ANT = SHARED / "data" / "ant2018" / "articles.jsonl.gz"


def shared(*parts: str) -> Path | None:
    """Path under ../shared, or None (and a printed skip line) when absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        print(f"   skipped: ../shared/{'/'.join(parts)} not present")
        return None
    return p


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def ant_records(limit: int | None = None) -> Iterator[dict]:
    """ANT corpus records (cite Chouigui et al., AICCSA 2017, wherever used)."""
    with gzip.open(ANT, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                break
            yield json.loads(line)
