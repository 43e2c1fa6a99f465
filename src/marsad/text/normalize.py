"""Orthographic normalization of Arabic text.

Two levels:

* ``normalize`` keeps the text readable and the same length as its input, character for
  character, so offsets found on the normalized text are valid in the original. It applies
  Lucene's ArabicNormalizer rules (alef variants آ أ إ ٱ → ا, alef maqsura ى → ي, teh marbuta
  ة → ه, harakat and tatweel removed) plus what scraped news adds: Arabic-Indic and Persian
  digits → ASCII, Persian/Urdu letter variants (ی ک ھ ۀ), hamza carriers ئ → ي and ؤ → و,
  single-letter presentation forms (ﺃ ﻙ …) → the plain letter, and zero-width, bidi and
  soft-hyphen controls. Characters that carry no letter become the placeholder ``GAP``
  ("\\x00"), which tokenizers skip.
* ``normalize_for_search`` additionally folds multi-letter presentation forms (the lam-alef
  ligatures ﻻ ﻷ ﻹ ﻵ and the like), deletes the placeholders and lower-cases Latin letters
  (length changes): the form for hashing, indexing and comparison, never for offsets.

Multi-letter ligatures cannot be folded in place; ``fold_presentation_forms`` expands them
and the ingest stage runs it on every article before anything takes offsets.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

# Placeholder for characters that carry no letter (diacritics, tatweel, controls). It is a
# character no news text uses, so callers can drop it without touching real content.
GAP = "\u0000"

# Harakat (064B-065F incl. sukun, shadda, maddah/hamza above marks), superscript alef and the
# Quranic annotation marks.
_DIACRITICS = set(range(0x064B, 0x0660)) | {0x0670} | set(range(0x06D6, 0x06DD)) | {
    0x06DF, 0x06E0, 0x06E1, 0x06E2, 0x06E3, 0x06E4, 0x06E7, 0x06E8, 0x06EA, 0x06EB, 0x06EC, 0x06ED}
_TATWEEL = 0x0640
# Zero-width (ZWSP, ZWNJ, ZWJ, word joiner, BOM), bidi marks/embeddings/isolates, soft hyphen.
_INVISIBLE = {_TATWEEL, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x061C, 0x00AD,
              0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}

_LETTERS = {
    # Lucene ArabicNormalizer: alef with madda / hamza above / hamza below -> alef
    "آ": "ا", "أ": "ا", "إ": "ا",
    # alef wasla and the rarer alef forms
    "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ٵ": "ا",
    # Lucene: alef maqsura -> yeh; Persian yeh and yeh with hamza too
    "ى": "ي", "ی": "ي", "ې": "ي", "ئ": "ي",
    # Lucene: teh marbuta -> heh; Persian/Urdu heh forms
    "ة": "ه", "ۀ": "ه", "ھ": "ه", "ہ": "ه", "ە": "ه",
    "ؤ": "و",
    # Persian/Urdu kaf
    "ک": "ك", "ڪ": "ك",
    # Arabic decimal and thousands separators; unusual spaces
    "٫": ".", "٬": ",", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ",
}

_MAP: dict[int, str] = {}
for _cp in _DIACRITICS | _INVISIBLE:
    _MAP[_cp] = GAP
for _i in range(10):
    _MAP[0x0660 + _i] = str(_i)  # Arabic-Indic digits ٠١٢٣٤٥٦٧٨٩
    _MAP[0x06F0 + _i] = str(_i)  # Extended (Persian/Urdu) digits ۰۱۲۳۴۵۶۷۸۹
for _k, _v in _LETTERS.items():
    _MAP[ord(_k)] = _v


def _is_presentation_form(o: int) -> bool:
    return 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFC


# Presentation forms that stand for exactly one letter (ﺃ ﺏ ﻙ ...) fold in place, keeping the
# length; isolated harakat forms (ﹰ ﹲ ...) become GAP. Ligatures of two or more letters are left
# to ``fold_presentation_forms``.
_MULTI: dict[int, str] = {}
for _o in list(range(0xFB50, 0xFE00)) + list(range(0xFE70, 0xFEFD)):
    _n = unicodedata.normalize("NFKC", chr(_o))
    if _n == chr(_o):
        continue
    _core = _n.replace(" ", "").replace("\u0640", "")
    if _core and all(ord(c) in _DIACRITICS for c in _core):
        _MAP[_o] = GAP
    elif len(_n) == 1:
        _MAP[_o] = _MAP.get(ord(_n), _n)
    else:
        _MULTI[_o] = _n

_TABLE = str.maketrans(_MAP)
# The same one-to-one mapping as a code-point lookup array for the Basic Multilingual Plane:
# ``str.translate`` with a dict costs ~150-230 ns a character here, the array ~8 ns.
_NP_TABLE = np.arange(0x10000, dtype=np.uint32)
for _cp, _to in _MAP.items():
    if _cp < 0x10000:
        _NP_TABLE[_cp] = ord(_to)
# Below this length the per-call cost of the array path exceeds what it saves.
_NP_MIN_LEN = 48

_PRESENTATION = re.compile("[\uFB50-\uFDFF\uFE70-\uFEFC]")


def fold_presentation_forms(text: str) -> str:
    """Replace Arabic presentation forms (incl. lam-alef ligatures ﻻ ﻷ) by plain letters.

    Only those code points are touched, so the rest of the text keeps its exact form. The
    length changes when the text holds ligatures (ﻻ → لا).
    """
    if _PRESENTATION.search(text) is None:
        return text
    out = []
    for c in text:
        o = ord(c)
        if _is_presentation_form(o):
            n = unicodedata.normalize("NFKC", c)
            out.append(n.strip() if o >= 0xFE70 and n.strip() else n)
        else:
            out.append(c)
    return "".join(out)


def normalize(text: str) -> str:
    """Length-preserving normalization (see the module doc): ``len(normalize(t)) == len(t)``
    always; characters without a letter become ``GAP``. Multi-letter ligatures are kept as
    they are: fold them first with ``fold_presentation_forms`` (the ingest stage does)."""
    if len(text) < _NP_MIN_LEN:
        return text.translate(_TABLE)
    return translate_bmp(text, _NP_TABLE)


def translate_bmp(text: str, table: np.ndarray) -> str:
    """``text`` with each Basic-Multilingual-Plane character ``c`` replaced by
    ``chr(table[ord(c)])`` (a uint32 array of 0x10000 entries; one character for one, so the
    length is kept); characters beyond the BMP are left as they are."""
    if not text:
        return text
    a = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if int(a.max()) < 0x10000:
        return table[a].tobytes().decode("utf-32-le")
    b = a.copy()
    bmp = a < 0x10000
    b[bmp] = table[a[bmp]]
    return b.tobytes().decode("utf-32-le")


def bmp_table(extra: dict[int, str] | None = None) -> np.ndarray:
    """A copy of the normalization table for ``translate_bmp``, with ``extra`` (code point
    of a normalized character -> replacement) applied after normalization."""
    t = _NP_TABLE.copy()
    if extra:
        src = np.fromiter(extra.keys(), dtype=np.uint32)
        dst = np.fromiter((ord(v) for v in extra.values()), dtype=np.uint32)
        order = np.argsort(src)
        src, dst = src[order], dst[order]
        pos = np.searchsorted(src, t)
        pos[pos == len(src)] = 0
        hit = src[pos] == t
        t[hit] = dst[pos[hit]]
    return t


def strip_diacritics(text: str) -> str:
    """Remove diacritics and tatweel only (no letter folding)."""
    return "".join(c for c in text if ord(c) not in _DIACRITICS and ord(c) != _TATWEEL)


_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}


def fold_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII, nothing else."""
    return text.translate(_DIGITS)


def normalize_for_search(text: str) -> str:
    """Normalized text with diacritics, tatweel and controls removed, lower-cased Latin,
    presentation forms folded: the form used for hashing, indexing and matching."""
    return normalize(fold_presentation_forms(text)).replace(GAP, "").lower()
