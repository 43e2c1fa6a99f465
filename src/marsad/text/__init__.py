"""The Arabic language layer used by every stage: normalization, tokens, sentences, stems,
stop words, numbers and dates.

Dates live in ``marsad.text.dates`` (``find_date``, ``parse_date``, ``resolve_relative``).
"""

from marsad.text.normalize import normalize, normalize_for_search, strip_diacritics, fold_digits
from marsad.text.tokenize import Token, tokenize, words
from marsad.text.sentences import Sentence, split_sentences
from marsad.text.stem import stem, stems
from marsad.text.stopwords import STOPWORDS, is_stopword

__all__ = [
    "normalize", "normalize_for_search", "strip_diacritics", "fold_digits",
    "Token", "tokenize", "words", "Sentence", "split_sentences", "stem", "stems",
    "STOPWORDS", "is_stopword",
]
