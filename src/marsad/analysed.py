"""One analysed document per article: the readings of its text that several stages need,
each computed once, on first use, and then shared.

``AnalysedDoc.of(article)`` is built once per article (in the worker that extracts it) and
handed to every fact reader (``marsad.facts.extract_facts``) and to the per-article features
of deduplication and story placement (``marsad.dedup.article_features``,
``marsad.stories.article_features``). Before it, the body was split into sentences by the
entity, quote and event readers in turn and normalized by each stage on its own.

Every field is a pure function of the article's title and body; the lazily computed ones are
``functools.cached_property`` values (the object is frozen: nothing else changes after it is
built). Offsets (tokens, sentences) are into ``text``, the article body as stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from marsad.model import Article
from marsad.text import Sentence, Token, normalize, split_sentences, tokenize, words
from marsad.text.normalize import fold_presentation_forms

_PRESENTATION_FORMS = re.compile("[\uFB50-\uFDFF\uFE70-\uFEFC]")


def search_words(text: str) -> list[str]:
    """Words of ``text`` in ``normalize_for_search`` form (presentation forms folded, letters
    folded, diacritics and tatweel dropped, Latin lower-cased): what deduplication hashes and
    story placement stems."""
    if _PRESENTATION_FORMS.search(text):
        text = fold_presentation_forms(text)
    return words(text.lower())


@dataclass(frozen=True, eq=False)
class AnalysedDoc:
    """The analysed text of one article (see the module doc). Build it with ``of``."""

    text: str  # the body, as stored (every offset below is into it)
    title: str = ""

    @classmethod
    def of(cls, article: Article) -> "AnalysedDoc":
        return cls(article.text or "", article.title or "")

    def matches(self, article: Article) -> bool:
        """Is this the analysis of ``article``'s current title and body?"""
        return self.text == (article.text or "") and self.title == (article.title or "")

    @cached_property
    def normalized(self) -> str:
        """``normalize(text)``: letters folded, one character for one (offsets hold)."""
        return normalize(self.text)

    @cached_property
    def sentences(self) -> list[Sentence]:
        """``split_sentences(text)``, with offsets into ``text``. Do not mutate."""
        return split_sentences(self.text)

    @cached_property
    def tokens(self) -> list[Token]:
        """``tokenize(text)``: the clitic-aware tokens with offsets into ``text``."""
        return tokenize(self.text)

    @cached_property
    def sentence_of(self) -> list[int]:
        """For each token, the index of the sentence it starts in (a token in the gap after
        a sentence counts with that sentence; the last one takes what follows it)."""
        sents, out, si = self.sentences, [], 0
        for t in self.tokens:
            while si < len(sents) - 1 and t.start >= sents[si].end:
                si += 1
            out.append(si)
        return out

    @cached_property
    def sentence_tokens(self) -> list[tuple[int, int]]:
        """Per sentence, (first token, one past the last token) by ``sentence_of``."""
        sent_of, n = self.sentence_of, len(self.tokens)
        bounds, lo = [], 0
        for s in range(len(self.sentences)):
            hi = lo
            while hi < n and sent_of[hi] == s:
                hi += 1
            bounds.append((lo, hi))
            lo = hi
        return bounds

    @cached_property
    def words(self) -> list[str]:
        """``search_words(text)``: the body's words as deduplication and stories read them."""
        return search_words(self.text)

    @cached_property
    def title_words(self) -> list[str]:
        """``search_words(title)``."""
        return search_words(self.title)


__all__ = ["AnalysedDoc", "search_words"]
