"""Who said what, denials and counts on real news: marsad against the hand-annotated facts gold.

The gold (``benchmarks/gold/facts_<outlet>.jsonl``, described in ``benchmarks/gold/FACTS_README.md``)
holds 60 ANT 2018 articles (Chouigui et al., AICCSA 2017), 12 per outlet, as docnos, character
offsets into the record's ``text`` field and labels; the text itself is read from
``../shared/data/ant2018/articles.jsonl.gz`` (the benchmark prints a skip line without it).

How marsad is scored
--------------------
Each record goes through marsad's own ingest (``extract_articles`` on the JSON record, as
``marsad analyze`` reads a JSONL line), then ``extract_facts`` on every part. marsad's offsets
are into its clean text, so each fact is mapped back onto the record's text by locating its
evidence string there (whitespace runs and Arabic presentation forms folded on both sides,
the occurrence nearest to the expected place taken); the quoted words are then located inside
that evidence, and the quote's span is the span of its words (the evidence span when the words
cannot be found). Gold statements whose words are not in marsad's clean text at all (lines
its cleaner removed, e.g. teasers of other stories under a CNN article) are left out of recall
and counted apart.

* statement recall: the share of *certain* gold statements matched by a quote or a claim
  (spans overlap by at least half of the shorter one; one output per statement, the pairs that
  overlap most assigned first; a denial counts only where no quote covers it, its span running
  from where its claimant is named to the end of its sentence, its claimant being its speaker);
  precision: the share of those outputs that match any gold statement, certain or not.
* speaker right: of matched pairs, marsad's speaker shares a content word with the gold
  speaker (or its role), i.e. it names the same person or body, even partly;
  speaker fully resolved: every word of the gold speaker's name part (the speaker span without
  its role, and without a rank such as «اللواء» or «الشيخ», which marsad may keep in the role)
  is in marsad's name or role, and marsad's name has no word foreign to the gold
  speaker and role; both over matched pairs whose gold speaker is given.
* denials: claims with stance ``denies`` matched to gold statements the same way; precision
  over denials output, recall over gold denials; claimant right where the gold names one.
* counts: every number of marsad's events that a gold count overlaps; value right when equal,
  "what" right when marsad's word for it matches the gold noun or falls in the same class
  (killed, wounded, arrested, kidnapped, displaced); accuracy = value and what both right, over
  the numbers marsad outputs in annotated articles that are counts (units such as percent,
  currency and lengths, which the gold does not annotate, are left out, and so are vague
  magnitudes such as «عشرات» or «آلاف», which marsad marks with a qualifier and the gold does not
  annotate either: they are counted apart), and recall over gold counts.

Run ``python -m benchmarks facts``; ``python -m benchmarks.bench_facts -v`` also lists each miss.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
import time
import unicodedata
from collections import defaultdict

from benchmarks.common import ROOT, shared

GOLD = ROOT / "benchmarks" / "gold"
OUTLETS = ("alarabia", "BBC", "CNN", "france24", "skynews")

# words that name no one: they never make two speakers the same party
_STOP = frozenset("""
في من على عن الى إلى الي لدى باسم التي الذي الذين و او أو ثم قد قال قالت ان أن إن مع ل ب
هو هي هم بن بين بعد قبل له لها كما ذلك هذا هذه كل ايضا أيضا وهو وهي وهم ال
""".split())

# ranks and forms of address before a name: part of the title, not of the name
_RANKS = frozenset("لواء عميد عقيد فريق مقدم رائد شيخ امير دكتور سيد سيده".split())

# qualifiers marsad gives a vague magnitude («عشرات»، «آلاف»): a lower bound, not a count
_VAGUE = {"dozens", "hundreds", "thousands", "tens of thousands", "hundreds of thousands",
          "millions", "tens of millions", "a few", "a few thousand", "a few million"}

# "what" classes: a marsad word and a gold noun of the same class count as the same thing
_CLASSES = {
    "killed": ("قتل", "قتيل", "مقتل", "مصرع", "حتف", "وفا", "موت", "ضحايا", "جثث", "جثمان"),
    "wounded": ("جرح", "جريح", "اصاب", "مصاب", "اصيب"),
    "arrested": ("اعتقال", "معتقل", "اعتقل", "موقوف", "اوقف", "توقيف", "قبض", "سجين", "اسير"),
    "kidnapped": ("خطف", "مخطوف", "رهين", "اختطاف", "اختطف"),
    "displaced": ("نزوح", "نازح", "فار", "فرار", "لاجئ", "مهجر", "شرد", "غادر", "خرج", "خروج", "الفرار"),
}


# --- text helpers --------------------------------------------------------------------------

def _fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def _norm_map(text: str) -> tuple[str, list[int]]:
    """``text`` with whitespace runs made one space and presentation forms folded, and for each
    character of the result the index in ``text`` it came from."""
    out: list[str] = []
    idx: list[int] = []
    prev_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not prev_space:
                out.append(" ")
                idx.append(i)
            prev_space = True
            continue
        prev_space = False
        for c in _fold(ch):
            out.append(c)
            idx.append(i)
    return "".join(out), idx


def _norm(s: str) -> str:
    return _norm_map(s)[0].strip()


def locate(haystack_norm: tuple[str, list[int]], needle: str, near: int | None = None) -> tuple[int, int] | None:
    """Span of ``needle`` in the original text behind ``haystack_norm``, the occurrence whose start
    is nearest ``near`` (an index in the original text) when it occurs more than once."""
    hs, idx = haystack_norm
    n = _norm(needle)
    if not n:
        return None
    best = None
    pos = hs.find(n)
    while pos >= 0:
        start, end = idx[pos], idx[pos + len(n) - 1] + 1
        if best is None or (near is not None and abs(start - near) < abs(best[0] - near)):
            best = (start, end)
        if near is None:
            break
        pos = hs.find(n, pos + 1)
    return best


_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640]")


def _tokens(s: str | None) -> list[str]:
    if not s:
        return []
    s = _MARKS.sub("", _fold(s)).translate(_AR_FOLD)
    toks = re.findall(r"[\w]+", s)
    out = []
    for t in toks:
        if t.startswith("و") and len(t) > 4:
            t = t[1:]
        for p in ("بال", "فال", "كال", "لل", "ال"):
            if t.startswith(p) and len(t) - len(p) >= 2:
                t = t[len(p):]
                break
        if t not in _STOP and len(t) > 1:
            out.append(t)
    return out


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    # the case endings of sound plurals and duals (مسؤولون / مسؤولين، مصدران / مصدرين)
    for end in ("ون", "ين", "ان"):
        if len(a) > 4 and len(b) > 4 and a.endswith(("ون", "ين", "ان")) and b.endswith(("ون", "ين", "ان")) \
                and a[:-2] == b[:-2]:
            return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    # a proclitic left on one side (ب, ل, ك) or a case ending: at most two letters more
    return len(short) >= 3 and len(long_) - len(short) <= 2 and (long_.endswith(short) or long_.startswith(short))


# words shared by many parties: sharing one of these alone does not make two speakers the same
_GENERIC = frozenset(_tokens_plain for _tokens_plain in """
وكاله وزاره وزير رئيس مكتب مصدر مصادر مسوول مسوولون متحدث متحدثه ناطق ناطقه حكومه قوات مجلس
منظمه دوله دول سفير سفيره مدير مديره امين عام نايب شرطه جيش اداره صحيفه قناه هييه محكمه
""".split())


def _covers(have: list[str], need: list[str]) -> bool:
    return all(any(_same_word(w, h) for h in have) for w in need)


def _shares(a: list[str], b: list[str]) -> bool:
    return any(_same_word(x, y) for x in a for y in b)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    ov = min(a[1], b[1]) - max(a[0], b[0])
    return ov > 0 and ov >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def _ratio(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Overlap of two spans over their union."""
    ov = min(a[1], b[1]) - max(a[0], b[0])
    return ov / (max(a[1], b[1]) - min(a[0], b[0]))


def _class_of(word: str | None) -> str | None:
    if not word:
        return None
    w = _MARKS.sub("", word).translate(_AR_FOLD)
    for cls, stems in _CLASSES.items():
        if any(s.translate(_AR_FOLD) in w for s in stems):
            return cls
    return None


# --- reading --------------------------------------------------------------------------------

def read_gold() -> dict[str, list[dict]]:
    out = {}
    for o in OUTLETS:
        p = GOLD / f"facts_{o}.jsonl"
        if p.exists():
            out[o] = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def read_records(docnos: set[str]) -> dict[str, dict]:
    path = shared("data", "ant2018", "articles.jsonl.gz")
    if path is None:
        return {}
    recs = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not any(d in line[:200] for d in docnos):
                continue
            r = json.loads(line)
            if r.get("docno") in docnos:
                recs[r["docno"]] = r
    return recs


def marsad_facts(rec: dict) -> list[tuple[object, object]]:
    """(article, facts) for every part marsad reads out of one ANT record."""
    from marsad.facts import extract_facts
    from marsad.ingest import extract_articles
    from marsad.model import RawDoc

    raw = RawDoc(origin=f"ant2018/articles.jsonl.gz#{rec['docno']}", kind="record", fields=rec)
    return [(a, extract_facts(a)) for a in extract_articles(raw)]


# --- scoring one article --------------------------------------------------------------------

def _gold_str(text: str, span) -> str | None:
    return text[span[0]:span[1]] if span else None


def _changed(gold: dict, text: str) -> dict | None:
    """The result for an article whose record text is no longer the one annotated, else None."""
    if hashlib.sha1(text.encode("utf-8")).hexdigest() == gold["text_sha1"]:
        return None
    c = defaultdict(int, changed_text=1)
    return {"counts": c, "notes": [f"{gold['docno']}: record text changed; skipped"]}


def _record_mapper(text: str, hn):
    """Maps a span of an article's clean text back to a span of the record's text."""
    def to_record(a, start: int, end: int) -> tuple[int, int] | None:
        near = int(start * len(text) / max(1, len(a.text)))
        return locate(hn, a.text[start:end], near)
    return to_record


def score_article(gold: dict, rec: dict, verbose: bool = False) -> dict:
    text = rec["text"]
    if (changed := _changed(gold, text)) is not None:
        return changed
    c = defaultdict(int)
    notes: list[str] = []
    hn = _norm_map(text)
    parts = marsad_facts(rec)
    clean_norm = " ".join(_norm(a.text) for a, _ in parts)
    to_record = _record_mapper(text, hn)

    from marsad.model import Quote, Speaker

    quotes = []  # (span in record, quote)
    for a, f in parts:
        for q in f.quotes:
            ev = to_record(a, q.evidence.start, q.evidence.end)
            if ev is None:
                c["unmapped"] += 1
                continue
            words = locate((hn[0], hn[1]), q.text, ev[0]) if q.text else None
            span = words if words and ev[0] <= words[0] and words[1] <= ev[1] else ev
            quotes.append((span, q))
    denials = []
    for a, f in parts:
        for cl in f.claims:
            ev = to_record(a, cl.evidence.start, cl.evidence.end)
            if ev is None:
                c["unmapped"] += 1
                continue
            if cl.stance == "denies":
                denials.append((ev, cl))
            # a denial is a statement too (often told with no quote; marsad's assertions are
            # read from its quotes); counted once, when no quote covers it
            # its span runs from where the claimant is named in the sentence to its end («لكن
            # روسيا نفت ذلك»), not over the clause it answers
            who = locate(hn, cl.claimant, ev[1]) if cl.claimant else None
            span = (who[0], ev[1]) if who and ev[0] <= who[0] < ev[1] else ev
            if cl.stance == "denies" and not any(_overlap(span, sp) or (sp[0] >= span[0] and sp[1] <= span[1])
                                                 for sp, _ in quotes):
                quotes.append((span, Quote(cl.article, Speaker(cl.claimant or "", None), cl.text, False, cl.evidence)))
    numbers = _numbers_in_record(parts, to_record)

    # statements
    in_text = []
    for s in gold["statements"]:
        if _norm(_gold_str(text, s["span"])) in clean_norm:
            in_text.append(s)
        elif s["certain"]:
            c["stmt_outside_text"] += 1
    used: set[int] = set()
    matched: list[tuple[dict, object]] = []
    # one output per statement, the pairs that overlap most assigned first
    pairs = sorted(((_ratio(tuple(s["span"]), sp), n, k) for n, s in enumerate(in_text)
                    for k, (sp, _) in enumerate(quotes) if _overlap(tuple(s["span"]), sp)), reverse=True)
    assign: dict[int, int] = {}
    for _, n, k in pairs:
        if n not in assign and k not in used:
            assign[n] = k
            used.add(k)
    used = set()
    for n, s in enumerate(in_text):
        gs = tuple(s["span"])
        hit = assign.get(n)
        if s["certain"]:
            c["stmt_gold"] += 1
            c["stmt_found"] += hit is not None
        if hit is None:
            # a quote already used may cover a second statement (one quote over two sentences);
            # it still counts for recall, not twice for precision
            if s["certain"] and any(_overlap(gs, sp) for sp, _ in quotes):
                c["stmt_found"] += 1
            elif s["certain"] and verbose:
                notes.append(f"  MISS stmt «{_gold_str(text, s['span'])[:70]}» ({_gold_str(text, s['speaker'])})")
            continue
        used.add(hit)
        matched.append((s, quotes[hit][1]))
    c["quotes_out"] += len(quotes)
    c["quotes_right"] += sum(1 for k, (sp, q) in enumerate(quotes)
                             if k in used or any(_overlap(tuple(s["span"]), sp) for s in gold["statements"]))
    if verbose:
        for k, (sp, q) in enumerate(quotes):
            if k not in used and not any(_overlap(tuple(s["span"]), sp) for s in gold["statements"]):
                notes.append(f"  EXTRA quote «{text[sp[0]:sp[1]][:70]}» by {q.speaker.name!r}")

    # speakers
    for s, q in matched:
        if not s["speaker"]:
            continue
        g_sp = _gold_str(text, s["speaker"])
        g_role = _gold_str(text, s["role"])
        name_part = g_sp
        if s["role"] and s["speaker"][0] <= s["role"][0] and s["role"][1] <= s["speaker"][1]:
            name_part = text[s["speaker"][0]:s["role"][0]] + " " + text[s["role"][1]:s["speaker"][1]]
        gt, gr, gn = _tokens(g_sp), _tokens(g_role), _tokens(name_part)
        gn = [w for w in gn if w not in _RANKS]  # a rank is a title: marsad may put it in the role
        pn, pr = _tokens(q.speaker.name), _tokens(q.speaker.role)
        # the same party: marsad's words all belong to the gold speaker or its role, or they
        # share a word that is not a common title or body word («وكالة» alone is not enough)
        right = bool(pn or pr) and (_covers(gt + gr, pn or pr) or _shares(
            [w for w in pn + pr if w not in _GENERIC], [w for w in gt + gr if w not in _GENERIC]))
        full = right and _covers(pn + pr, gn or gt) and _covers(gt + gr, pn)
        c["spk_scored"] += 1
        c["spk_right"] += right
        c["spk_full"] += full
        if verbose and not full:
            tag = "WRONG" if not right else "PARTIAL"
            notes.append(f"  {tag} speaker {q.speaker.name!r} (role {q.speaker.role!r}) for gold «{g_sp}»")

    # denials
    gold_den = [s for s in in_text if s["denial"]]
    c["den_gold"] += len(gold_den)
    c["den_out"] += len(denials)
    for ev, cl in denials:
        ok = [s for s in gold_den if _overlap(tuple(s["span"]), ev)
              or (s["span"][0] >= ev[0] and s["span"][1] <= ev[1])]
        if ok:
            c["den_right"] += 1
            s = ok[0]
            if s["claimant"]:
                c["den_claimant_scored"] += 1
                c["den_claimant_right"] += _shares(_tokens(cl.target_claimant), _tokens(_gold_str(text, s["claimant"])))
        elif verbose:
            notes.append(f"  FALSE denial «{text[ev[0]:ev[1]][:80]}» by {cl.claimant!r}")
    for s in gold_den:
        gs = tuple(s["span"])
        if any(_overlap(gs, ev) or (gs[0] >= ev[0] and gs[1] <= ev[1]) for ev, _ in denials):
            c["den_found"] += 1
        elif verbose:
            notes.append(f"  MISS denial «{_gold_str(text, s['span'])[:70]}» by {_gold_str(text, s['speaker'])}")

    # counts
    _score_counts(c, notes, gold["counts"], numbers, text, verbose)
    return {"counts": c, "notes": notes}


def _numbers_in_record(parts, to_record) -> list:
    numbers = []
    for a, f in parts:
        for e in f.events:
            for n in e.numbers:
                if n.start is None or n.end is None:
                    continue
                sp = to_record(a, n.start, n.end)
                if sp is not None:
                    numbers.append((sp, n))
    return numbers


def _score_counts(c, notes, gold_counts, numbers, text, verbose) -> None:
    c["cnt_gold"] += len(gold_counts)
    found_gold: set[int] = set()
    for sp, n in numbers:
        if n.unit:
            continue
        if n.qualifier in _VAGUE:
            c["num_vague"] += 1  # «عشرات»، «آلاف»: no value; the gold does not annotate them
            continue
        c["num_out"] += 1
        cands = [(i, g) for i, g in enumerate(gold_counts)
                 if min(sp[1], g["span"][1]) > max(sp[0], g["span"][0])]
        if not cands:
            if verbose:
                notes.append(f"  EXTRA number {n.value} {n.what!r} at «{text[max(0, sp[0] - 15):sp[1] + 15]}»")
            continue
        i, g = cands[0]
        val_ok = float(n.value) == float(g["value"])
        g_what = _gold_str(text, g["what"])
        what_ok = _shares(_tokens(n.what), _tokens(g_what)) or (
            _class_of(n.what) is not None and _class_of(n.what) == g.get("class"))
        c["num_value"] += val_ok
        c["num_right"] += val_ok and what_ok
        if val_ok and what_ok:
            found_gold.add(i)
        elif verbose:
            notes.append(f"  NUMBER {n.value} {n.what!r} for gold {g['value']} «{g_what}» ({g.get('class')})")
    c["cnt_found"] += len(found_gold)


def score_counts_only(gold: dict, rec: dict, verbose: bool = False) -> dict:
    """Counts of an article annotated for counts only (``counts_2018.jsonl``)."""
    text = rec["text"]
    if (changed := _changed(gold, text)) is not None:
        return changed
    c = defaultdict(int)
    notes: list[str] = []
    to_record = _record_mapper(text, _norm_map(text))
    _score_counts(c, notes, gold["counts"], _numbers_in_record(marsad_facts(rec), to_record), text, verbose)
    return {"counts": c, "notes": notes}


# --- report ---------------------------------------------------------------------------------

def _r(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "  - "


def _row(name: str, c: dict) -> str:
    return (f"   {name:<9} {c['articles']:>3} {c['stmt_gold']:>4} {_r(c['stmt_found'], c['stmt_gold']):>6}"
            f" {_r(c['quotes_right'], c['quotes_out']):>6} {_r(c['spk_right'], c['spk_scored']):>6}"
            f" {_r(c['spk_full'], c['spk_scored']):>6} {_r(c['den_right'], c['den_out']):>6}"
            f" {_r(c['den_found'], c['den_gold']):>6} {_r(c['num_right'], c['num_out']):>6}"
            f" {_r(c['cnt_found'], c['cnt_gold']):>6}")


def run(verbose: bool = False) -> dict | None:
    gold = read_gold()
    if not gold:
        print("   skipped: benchmarks/gold/facts_*.jsonl not present")
        return None
    recs = read_records({g["docno"] for rows in gold.values() for g in rows})
    if not recs:
        return None
    t0 = time.perf_counter()
    total: dict = defaultdict(int)
    per: dict = {}
    for outlet, rows in gold.items():
        c: dict = defaultdict(int)
        for g in rows:
            if g["docno"] not in recs:
                c["missing"] += 1
                continue
            res = score_article(g, recs[g["docno"]], verbose)
            c["articles"] += 1
            for k, v in res["counts"].items():
                c[k] += v
            if verbose and res["notes"]:
                print(f"   -- {g['docno']}")
                for line in res["notes"]:
                    print("   " + line)
        per[outlet] = c
        for k, v in c.items():
            total[k] += v
    dt = time.perf_counter() - t0
    print("   outlet    art stmt recall  prec  spk-ok spk-full den-P  den-R  num-ok num-R")
    for outlet, c in per.items():
        print(_row(outlet, c))
    print(_row("overall", total))
    print(f"   statements outside marsad's clean text (left out of recall): {total['stmt_outside_text']}; "
          f"quotes output {total['quotes_out']}; denials output {total['den_out']} of {total['den_gold']} gold; "
          f"denial claimant right {total['den_claimant_right']}/{total['den_claimant_scored']}; "
          f"counts: {total['num_out']} numbers output, value right {total['num_value']}, "
          f"value and what right {total['num_right']}; vague magnitudes left out {total['num_vague']}; "
          f"{total['cnt_gold']} gold counts")
    extra = GOLD / "counts_2018.jsonl"
    if extra.exists():
        rows = [json.loads(line) for line in extra.read_text(encoding="utf-8").splitlines() if line.strip()]
        more_recs = read_records({g["docno"] for g in rows})
        m: dict = defaultdict(int)
        for g in rows:
            if g["docno"] not in more_recs:
                m["missing"] += 1
                continue
            res = score_counts_only(g, more_recs[g["docno"]], verbose)
            for k, v in res["counts"].items():
                m[k] += v
            if verbose and res["notes"]:
                print(f"   -- {g['docno']} (counts only)")
                for line in res["notes"]:
                    print("   " + line)
        print(f"   more counts ({len(rows)} articles, counts_2018.jsonl): {m['num_out']} numbers output, "
              f"value and what right {m['num_right']} ({_r(m['num_right'], m['num_out'])}), "
              f"recall {m['cnt_found']}/{m['cnt_gold']} ({_r(m['cnt_found'], m['cnt_gold'])}); "
              f"vague left out {m['num_vague']}")
        both_out, both_right = total["num_out"] + m["num_out"], total["num_right"] + m["num_right"]
        both_gold, both_found = total["cnt_gold"] + m["cnt_gold"], total["cnt_found"] + m["cnt_found"]
        print(f"   all counts ({total['articles'] + len(rows) - m['missing']} articles): number value and what "
              f"{_r(both_right, both_out)} ({both_right}/{both_out}), count recall {_r(both_found, both_gold)} "
              f"({both_found}/{both_gold})")
        for k in ("changed_text", "missing"):
            total[k] += m[k]
    if total["changed_text"] or total["missing"] or total["unmapped"]:
        print(f"   warnings: {total['changed_text']} changed texts, {total['missing']} records missing, "
              f"{total['unmapped']} facts whose evidence could not be located in the record")
    print(f"   {total['articles']} articles in {dt:.1f} s")
    return {"overall": dict(total), "per_outlet": {k: dict(v) for k, v in per.items()}}


def main() -> None:
    run(verbose=False)


if __name__ == "__main__":
    run(verbose="-v" in sys.argv[1:])
