"""Arabic stop words in normalized form (``marsad.text.normalize`` folding: أ→ا، ى→ي، ة→ه).

Function words (prepositions, particles, pronouns, demonstratives, relatives, auxiliaries,
conjunctions, quantifiers) and the time/place adverbs that carry no topic in news; each also
with the conjunctions و and ف attached (وفي، فهذا). Reporting verbs (قال، أكد) are not stop
words: the facts stage reads them.
"""

from __future__ import annotations

from marsad.text.normalize import normalize_for_search

_WORDS = """
في من الي علي عن مع الا الى على إلى حتي منذ مذ عند لدي لدى نحو حول خلال بين بعد قبل دون
تحت فوق امام خلف وراء ضد عبر وسط اثناء لكن لكنه لكنها بل او ام اما إما ثم لا لم لن ما ماذا
متي اين كيف هل قد لقد سوف كي لكي اذا اذ إذا إذ لو لولا ان إن أن انه انها انهم اننا إنه أنه
كان كانت كانوا يكون تكون يكونوا اصبح اصبحت ليس ليست لست ظل ظلت مازال ما زال لازال صار
هو هي هم هن هما انا نحن انت انتم انتما انتن اياه اياها اياهم
هذا هذه هذان هاتان هؤلاء ذلك تلك اولئك هنا هناك هنالك
الذي التي الذين اللذين اللذان اللتان اللتين اللاتي اللواتي
كل بعض جميع كلا كلتا اي ايه غير سوي مثل نفس ذات عده عدة
له لها لهم لهما لهن لنا لي لك لكم به بها بهم بهما فيه فيها فيهم منه منها منهم عنه عنها عنهم
عليه عليها عليهم اليه اليها اليهم معه معها معهم لديه لديها لديهم عندما بينما حيث حين كما
مما ممن عما عمن فيما بما لما كلما ربما انما إنما ايضا أيضا فقط جدا حاليا بينهم بينها
يوم اليوم امس غدا الان الآن ايام
تم يتم وفق وفقا حسب بحسب لدى
""".split()


def _build() -> frozenset[str]:
    out: set[str] = set()
    for w in _WORDS:
        n = normalize_for_search(w)
        out.add(n)
        out.add("و" + n)
        out.add("ف" + n)
    return frozenset(out)


STOPWORDS: frozenset[str] = _build()


def is_stopword(norm: str) -> bool:
    """Is this normalized word a stop word (with or without a leading و/ف)?"""
    return norm in STOPWORDS
