"""Snowball Arabic light stemming (PyStemmer, C) over normalized words."""

from __future__ import annotations

from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("arabic")
_STEMMER.maxCacheSize = 100_000


@lru_cache(maxsize=300_000)
def stem(word: str) -> str:
    """Light stem of one normalized word (Latin words are lower-cased, digits kept)."""
    if not word or word.isascii():
        return word.lower()
    return _STEMMER.stemWord(word)


def stems(words: list[str]) -> list[str]:
    """Stems of many normalized words at once (uses the C batch call)."""
    return _STEMMER.stemWords(words)
