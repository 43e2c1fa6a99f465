"""Light stemming for search and matching: clitics off (``split_clitics``), then Snowball
Arabic (PyStemmer, C) on the base for the suffixes.

Snowball on the whole word keeps attached clitics («والمفاوضات» → «والمفاوضا») and, worse,
strips a first letter it takes for a prefix («بوتين» → «وتين», «فرنسا» → «رنس», «وزير» →
«زير»). Here the clitics are peeled by the lexicon-aware tokenizer first, and a letter that
Snowball still cuts from the front of the base is put back, so only suffix stripping
remains: «والمفاوضات», «المفاوضات», «مفاوضات» → «مفاوض»; «بوتين» → «بوتين».
"""

from __future__ import annotations

from functools import lru_cache
from itertools import compress, repeat
from operator import is_

import Stemmer

from marsad.text.normalize import normalize_for_search
from marsad.text.tokenize import split_clitics

_STEMMER = Stemmer.Stemmer("arabic")
_STEMMER.maxCacheSize = 100_000


def _suffix_stem(base: str) -> str:
    return _fix(base, _STEMMER.stemWord(base))


def _fix(base: str, s: str) -> str:
    """Snowball's stem ``s`` of ``base`` with only its suffix stripping kept."""
    if not s:
        return base
    if not base.startswith(s[:2]):
        k = base.find(s[:2])
        if k > 0:  # Snowball cut a letter it took for a prefix: put it back
            s = base[:k] + s
    # Snowball leaves the alef of the sound feminine plural on an indefinite noun
    # («مفاوضات» → «مفاوضا») but not on the definite one: drop it so both agree.
    if base.endswith("ات") and s.endswith("ا") and len(s) > 3:
        s = s[:-1]
    return s


@lru_cache(maxsize=300_000)
def stem(word: str) -> str:
    """Light stem of one word (normalized or not; Latin is lower-cased, digits kept)."""
    if not word:
        return word
    if word.isascii():
        return word.lower()
    norm = normalize_for_search(word)
    if not norm or norm[0].isdigit():
        return norm
    _, base = split_clitics(norm, -1)
    return _suffix_stem(base)


_STEM_CACHE: dict[str, str] = {}
_STEM_CACHE_MAX = 500_000


def stems(words: list[str]) -> list[str]:
    """Stems of many words (same as ``[stem(w) for w in words]``, cached)."""
    cache = _STEM_CACHE
    if len(cache) > _STEM_CACHE_MAX:
        cache.clear()
    out = list(map(cache.get, words))  # C-speed lookups
    if None in out:
        # the misses in one batch (picked out and deduplicated by C-level iterators): one
        # normalization pass, one Snowball call
        missing = list(dict.fromkeys(compress(words, map(is_, out, repeat(None)))))
        norms = normalize_for_search("\n".join(missing)).split("\n")
        if len(norms) != len(missing):  # a word held a line break: go one by one
            norms = [normalize_for_search(w) for w in missing]
        todo: list[tuple[str, str]] = []
        for w, n in zip(missing, norms):
            if not n or n.isascii() or n[0].isdigit():
                cache[w] = n
            else:
                todo.append((w, split_clitics(n, -1)[1]))  # same cache key as tokenize
        if todo:
            snow = _STEMMER.stemWords([b for _, b in todo])
            for (w, b), s in zip(todo, snow):
                cache[w] = _fix(b, s)
        out = list(map(cache.__getitem__, words))
    return out
