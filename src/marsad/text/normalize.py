"""Orthographic normalization of Arabic text.

Two levels:

* ``normalize`` keeps the text readable and the same length as its input, character for
  character, so offsets found on the normalized text are valid in the original: it folds
  digits (Arabic-Indic, Persian) to ASCII, alef variants to bare alef, alef maqsura to ya,
  teh marbuta to heh, and turns diacritics, tatweel, zero-width and bidi controls into a
  placeholder that tokenizers skip. This is Lucene's ArabicNormalizer plus what scraped news
  adds (presentation forms, lam-alef ligatures, invisible controls).
* ``normalize_for_search`` additionally deletes the placeholders (length changes): for hashing,
  indexing and comparison, never for offsets.
"""

from __future__ import annotations

import unicodedata

# Placeholder for characters that carry no letter (diacritics, tatweel, controls). It is a
# character no news text uses, so callers can drop it without touching real content.
GAP = "\u0000"

_DIACRITICS = set(range(0x064B, 0x0660)) | {0x0670, 0x06D6, 0x06D7, 0x06D8, 0x06D9, 0x06DA,
                                            0x06DB, 0x06DC, 0x06DF, 0x06E0, 0x06E1, 0x06E2,
                                            0x06E3, 0x06E4, 0x06E7, 0x06E8, 0x06EA, 0x06EB,
                                            0x06EC, 0x06ED}
_INVISIBLE = {0x0640,  # tatweel
              0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x061C,
              0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x00AD}

_MAP: dict[int, str] = {}
for cp in _DIACRITICS | _INVISIBLE:
    _MAP[cp] = GAP
for i in range(10):
    _MAP[0x0660 + i] = str(i)  # Arabic-Indic digits
    _MAP[0x06F0 + i] = str(i)  # Extended (Persian/Urdu) digits
_MAP.update({
    ord("أ"): "ا", ord("إ"): "ا", ord("آ"): "ا", ord("ٱ"): "ا", ord("ٲ"): "ا", ord("ٳ"): "ا",
    ord("ى"): "ي", ord("ی"): "ي", ord("ئ"): "ي",
    ord("ة"): "ه", ord("ۀ"): "ه", ord("ھ"): "ه",
    ord("ؤ"): "و",
    ord("ک"): "ك", ord("ڪ"): "ك",
    ord("٫"): ".", ord("٬"): ",", ord("\u00a0"): " ", ord("\u2009"): " ", ord("\u202f"): " ",
})
_TABLE = str.maketrans(_MAP)

# Presentation forms (FB50–FDFF, FE70–FEFF) fold through NFKC; lam-alef ligatures become two
# letters, so this step can change length and runs before the length-preserving table.



def _has_presentation_forms(text: str) -> bool:
    return any(0xFB50 <= ord(c) <= 0xFDFF or 0xFE70 <= ord(c) <= 0xFEFC for c in text)


def fold_presentation_forms(text: str) -> str:
    """Replace Arabic presentation forms (incl. lam-alef ligatures ﻻ ﻷ) by plain letters.

    Only those code points are touched, so the rest of the text keeps its exact form.
    """
    if not _has_presentation_forms(text):
        return text
    out = []
    for c in text:
        o = ord(c)
        if 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFC:
            out.append(unicodedata.normalize("NFKC", c))
        else:
            out.append(c)
    return "".join(out)


def normalize(text: str) -> str:
    """Length-preserving normalization (see the module doc). ``len(normalize(t)) == len(t)``
    whenever ``t`` holds no presentation forms; fold those first with
    ``fold_presentation_forms`` (the ingest stage does) to keep offsets aligned."""
    return text.translate(_TABLE)


def strip_diacritics(text: str) -> str:
    """Remove diacritics and tatweel only (no letter folding)."""
    return "".join(c for c in text if ord(c) not in _DIACRITICS and ord(c) != 0x0640)


def fold_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII, nothing else."""
    return text.translate({0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)})


def normalize_for_search(text: str) -> str:
    """Normalized text with diacritics, tatweel and controls removed, lower-cased Latin,
    presentation forms folded: the form used for hashing, indexing and matching."""
    return normalize(fold_presentation_forms(text)).replace(GAP, "").lower()
