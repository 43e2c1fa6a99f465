"""Clitic-aware Arabic tokenization with offsets into the original text.

A token is a maximal run of letters/digits (Arabic or Latin). Each token also carries its
normalized form and a light clitic split: conjunction (و ف), preposition (ب ل ك), and the
article (ال / لل), e.g. «وللكرملين» → prefix «ولل» + base «كرملين». The split is
conservative: a clitic is only peeled when a base of at least ``MIN_BASE`` letters remains,
so «ولد» or «بلد» stay whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from marsad.text.normalize import GAP, normalize

# Letters, digits and the invisible characters that may sit inside a word (diacritics,
# tatweel, zero-width joiners) — those are folded away in ``norm``.
_WORD = re.compile(
    r"[0-9A-Za-z\u0621-\u063A\u0641-\u064A\u0660-\u0669\u066E-\u06D3\u06F0-\u06F9"
    r"\u064B-\u065F\u0670\u0640\u200C\u200D]+"
    r"(?:[.,٫٬][0-9\u0660-\u0669\u06F0-\u06F9]+)*"
)

# Base of at least 3 letters after peeling: calibrated by eye on the example corpus — with 2,
# «بلد» → ب + لد and «ولي» → و + لي; with 3 those stay whole while «وللكرملين», «بالحرب» split.
MIN_BASE = 3

_PREFIXES = (
    "وبال", "وكال", "فبال", "فكال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال",
    "وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك",
)


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # surface form as written
    start: int  # offset into the original text
    end: int
    norm: str  # normalized (diacritics removed, letters folded)
    prefix: str  # peeled proclitics in normalized form ("" when none)
    base: str  # normalized form without the proclitics

    @property
    def is_number(self) -> bool:
        return self.norm[:1].isdigit()


@lru_cache(maxsize=200_000)
def split_clitics(norm: str) -> tuple[str, str]:
    """Split a normalized word into (proclitics, base)."""
    if not norm or norm[0].isdigit() or norm.isascii():
        return "", norm
    for p in _PREFIXES:
        if norm.startswith(p) and len(norm) - len(p) >= MIN_BASE:
            rest = norm[len(p):]
            return p, rest
    return "", norm


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with offsets into it (``text[t.start:t.end] == t.text``)."""
    normed = normalize(text)
    out: list[Token] = []
    for m in _WORD.finditer(text):
        s, e = m.span()
        norm = normed[s:e].replace(GAP, "")
        if not norm:
            continue
        prefix, base = split_clitics(norm)
        out.append(Token(text[s:e], s, e, norm, prefix, base))
    return out


def words(text: str) -> list[str]:
    """Normalized word forms of ``text`` (no offsets) — the fast path for indexing."""
    normed = normalize(text)
    return [w for w in (m.group(0).replace(GAP, "") for m in _WORD.finditer(normed)) if w]
