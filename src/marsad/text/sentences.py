"""Sentence splitting for Arabic news with offsets into the original text.

A sentence ends at «.», «!», «?», «؟» (and «؛» when ``semicolon=True``) followed by space or
the end, and always at a line break. It does not end inside a quotation («…», “…”, "…") unless
the quotation runs past ``MAX_QUOTE`` characters (an unbalanced mark), inside a number (3.5),
or after a one-letter abbreviation such as «د.» or «أ.ف.ب». The comma «،» never ends one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_END = set(".!?؟")
# Opening mark -> closing mark. Scraped text often uses ” for both ends (أن”روسيا ...”), so
# a ” met outside a quotation opens one that the next ” closes.
_OPEN_CLOSE = {"«": "»", "“": "”", '"': '"', "„": "“", "”": "”"}
# A quotation longer than this is taken to be unbalanced and stops protecting its full stops.
# 600 characters: the longest real multi-sentence quotation in the example corpus is ~350.
MAX_QUOTE = 600


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int
    end: int


def _emit(text: str, s: int, e: int, out: list[Sentence]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        out.append(Sentence(text[s:e], s, e))


_SPECIAL = re.compile('[\n.!?؟;؛«»“"„”]')


def split_sentences(text: str, semicolon: bool = False) -> list[Sentence]:
    """Sentences of ``text``; ``text[s.start:s.end] == s.text`` for each."""
    ends = _END | ({"؛", ";"} if semicolon else set())
    out: list[Sentence] = []
    n = len(text)
    start = 0
    skip_to = 0
    quote_close: str | None = None
    quote_at = 0
    # only the marks matter: jump from one to the next (the rest is copied by slicing)
    for m in _SPECIAL.finditer(text):
        i = m.start()
        if i < skip_to:
            continue
        c = text[i]
        if c == "\n":
            _emit(text, start, i, out)
            start = i + 1
            quote_close = None
            continue
        if quote_close is not None:
            if c == quote_close:
                quote_close = None
                if c in "»”\"" and text[i - 1] in ends and (i + 1 >= n or text[i + 1].isspace()):
                    _emit(text, start, i + 1, out)
                    start = i + 1
                continue
            if i - quote_at <= MAX_QUOTE:
                continue
            quote_close = None  # an unbalanced mark: stop protecting and read this one
        if c in _OPEN_CLOSE:
            quote_close = _OPEN_CLOSE[c]
            quote_at = i
            continue
        if c in ends:
            j = i + 1
            while j < n and text[j] in ends:
                j += 1
            nxt = text[j] if j < n else " "
            if c == "." and i > 0 and text[i - 1].isdigit() and nxt.isdigit():
                continue
            if c == "." and _is_abbreviation(text, i):
                continue
            if nxt.isspace() or nxt in "»”\")" or j >= n:
                if nxt in "»”\")":
                    j += 1
                _emit(text, start, j, out)
                start = j
                skip_to = j
    _emit(text, start, n, out)
    return out


def _is_abbreviation(text: str, i: int) -> bool:
    """A full stop after a single letter (د. / أ.ف.ب / U.S.) does not end a sentence."""
    k = i - 1
    if k < 0 or not text[k].isalpha():
        return False
    return k == 0 or not text[k - 1].isalpha()
