"""Word frequencies of Arabic news, used to decide whether a leading و ف ب ل ك or ال is a
clitic or part of the word (وزير، فرنسا، بيان، التزام stay whole; وقال، بالحرب split).

The counts ship as ``text/data/ar_words.tsv.gz`` (normalized word, tab, count). They were
counted over the ANT corpus v2.1 (Chouigui et al., "ANT Corpus: An Arabic News Text
Collection for Textual Classification", AICCSA 2017; Apache-2.0) with

    python -m marsad.text.lexicon build ../shared/data/ant2018/articles.jsonl.gz

Only words seen at least ``MIN_COUNT`` times are kept. The table is loaded on first use.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "ar_words.tsv.gz"

# Words seen fewer times than this are dropped: at 4 the file holds 80,780 words (0.35 MB
# gzipped); rarer words add size and mostly typos.
MIN_COUNT = 4


@lru_cache(maxsize=1)
def counts() -> dict[str, int]:
    """Normalized word -> count in the news sample (empty when the data file is missing)."""
    if not DATA.exists():
        return {}
    out: dict[str, int] = {}
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        for line in fh:
            w, _, c = line.rstrip("\n").partition("\t")
            if c:
                out[w] = int(c)
    return out


def count(word: str) -> int:
    return counts().get(word, 0)


def build(jsonl_gz: str, out: Path = DATA) -> int:
    """Count normalized Arabic words over a JSONL(.gz) of {"title", "text"} records."""
    from marsad.text.tokenize import words

    c: Counter[str] = Counter()
    opener = gzip.open if jsonl_gz.endswith(".gz") else open
    with opener(jsonl_gz, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for w in words(f"{rec.get('title') or ''}\n{rec.get('text') or ''}"):
                if not w.isascii() and not any(ch.isdigit() for ch in w):
                    c[w] += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    kept = sorted(((w, n) for w, n in c.items() if n >= MIN_COUNT), key=lambda x: (-x[1], x[0]))
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
        for w, n in kept:
            fh.write(f"{w}\t{n}\n")
    return len(kept)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "build":
        print(f"{build(sys.argv[2])} words written to {DATA}")
    else:
        print("usage: python -m marsad.text.lexicon build ARTICLES.jsonl.gz", file=sys.stderr)
        raise SystemExit(2)
