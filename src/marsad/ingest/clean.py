"""Cleaning scraped article text: boilerplate lines out, the body kept whole, appended
articles split off, the title found (or derived from the lead).

Scraped news text (see the seeds) carries the site around the article: a navigation block and
brand line at the top, a «breaking news» label, the headline repeated, a date line, a photo
caption credited to an agency, then the body, then source and keyword lines, share / print /
comment / subscribe / follow prompts, previous / next teasers, related-article lists and a
copyright line. The cleaner works line by line:

1. every line is classified: a body paragraph (long, or ending a sentence), a known kind of
   boilerplate (patterns below), a date line, a caption, or a short unclassified line;
2. the header (lines before the first body paragraph) gives the title — the repeated line,
   else the first headline-like line — and its other short lines are navigation;
3. after a «read also» marker, a headline followed by several paragraphs is a second
   article (a new part); short headline lines alone are a related-links list;
4. short unclassified lines between body paragraphs are kept (sub-headings); after the last
   body paragraph of a part they are footer boilerplate.

Each removed line is listed, in order, in ``Part.removed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from marsad.ingest.metadata import date_line, outlet_from_copyright
from marsad.text.normalize import GAP, fold_presentation_forms, normalize
from marsad.text.sentences import split_sentences

# A body paragraph has at least this many words when it does not end a sentence, and at
# least MIN_SENTENCE_WORDS when it does. Calibrated on the seeds and the example corpus: the
# shortest real paragraph there has 11 words, the longest boilerplate line (a caption) 15 but
# captions are caught before this test; 12 keeps one-line teasers of 8-11 words out.
MIN_PARAGRAPH_WORDS = 12
MIN_SENTENCE_WORDS = 6
# A line ending a sentence is still tested against the boilerplate patterns up to this many
# words: the longest such prompt in the corpus has 6 («اشترك في النشرة البريدية ليصلك الجديد.»).
BOILER_SENTENCE_WORDS = 8
# A headline has at most this many words (the longest in the seeds and corpus has 17).
MAX_TITLE_WORDS = 30
# A derived title is the lead sentence cut at a comma within this many words, else at it.
DERIVED_TITLE_WORDS = 16
# After a «read also» marker, this many paragraphs after a headline make a second article;
# 2 separates the seeds' appended article (11 paragraphs) and the corpus' (3) from related
# lists (0 paragraphs) and a teaser followed by the main body's last paragraph (1).
MIN_APPENDED_PARAGRAPHS = 2


def _n(s: str) -> str:
    """Normalized, diacritic-free, single-spaced form of a line for pattern matching."""
    n = normalize(s).replace(GAP, "")
    if "  " in n or "\t" in n or "\n" in n:
        n = re.sub(r"\s+", " ", n)
    return n.strip()


def _rx(*alts: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{_n(a) if not a.startswith('(?') else a})" for a in alts))


# --- boilerplate patterns (matched on the normalized line) -----------------------------------

_READ_ALSO = re.compile(r"^(?:[•·\-–*]\s*)?(?:اقرا|إقرا)\s+(?:ايضا|المزيد|كذلك)\s*[:：.]*\s*$"
                        r"|^(?:مقالات|اخبار|موضوعات|مواضيع|قصص)\s+(?:ذات صله|مشابهه|متعلقه|مرتبطه|اخري)\s*[:：]?\s*$"
                        r"|^(?:ذات صله|قد يهمك|قد يعجبك ايضا|اخترنا لك|المزيد من الاخبار|الاكثر قراءه|الاكثر مشاهده"
                        r"|اقرا المزيد من الاخبار|شاهد ايضا|اخبار متعلقه|روابط ذات صله)\s*[:：]?\s*$")
# «اقرأ أيضا: <headline>» on one line: a related link.
_READ_ALSO_INLINE = re.compile(r"^(?:اقرا|إقرا)\s+(?:ايضا|المزيد)\s*[:：]\s*\S")

NAV_LINES_FILE = Path(__file__).resolve().parent.parent / "text" / "data" / "nav_lines.txt"
_NAV_WORDS = {_n(w) for w in NAV_LINES_FILE.read_text(encoding="utf-8").splitlines()
              if w.strip() and not w.startswith("#")}

_BOILER = [
    # share / print / send
    ("share", _rx(r"^(?:شارك|مشاركه|شاركوا|انشر)(?:\s+(?:عبر|على|علي|هذا|الخبر|المقال|القصه|الموضوع|الصفحه|في)\b.*)?$",
                  r"^(?:طباعه|اطبع)(?:\s+\S+){0,6}$")),
    # subscribe / newsletter / follow / apps
    ("subscribe", _rx(r"^(?:اشترك|اشتركوا|سجل|للاشتراك|انضم)\b.*(?:النشره|نشرتنا|نشره|القايمه البريديه|بريدك|الاخبار|قناتنا|قناه|الاشعارات|يوتيوب|تليجرام|تلغرام)",
                      r"النشره (?:البريديه|الاخباريه)|نشرتنا (?:البريديه|الاخباريه)")),
    ("follow", _rx(r"^(?:تابع|تابعنا|تابعونا|تابعوا|لمتابعه|حمل|حمّل|نزل|اكتشف)\b.*(?:علي|عبر|في|من خلال|تطبيق)\s*.*"
                   r"(?:تطبيق|مواقع التواصل|التواصل الاجتماعي|فيسبوك|فيس بوك|تويتر|تلغرام|تليغرام|تليجرام|يوتيوب|انستغرام|انستجرام|واتساب|google|جوجل|غوغل|news|منصات|حساباتنا|صفحتنا|قناتنا|قناه|اكس|x)",
                   r"^(?:تابع|تابعونا|تابعنا)\s+(?:احدث|اخر|اهم)\s+الاخبار")),
    # comments
    ("comments", _rx(r"^(?:اضف|اترك|اكتب|شاركنا)\s+(?:تعليق|تعليقك|تعليقا|رايك)", r"^(?:التعليقات|تعليقات القراء|عدد التعليقات)\b",
                     r"^(?:لا توجد|لا يوجد)\s+تعليقات", r"^الغاء الرد$", r"^(?:يجب|يرجي)\s+.*(?:تسجيل الدخول|لتعليق|للتعليق)")),
    # previous / next teasers
    ("prevnext", _rx(r"^(?:السابق|التالي|الخبر السابق|الخبر التالي|المقال السابق|المقال التالي|المقاله السابقه|المقاله التاليه)(?:\s*[:：|]?\s+\S.*)?$")),
    # keyword / tag lines
    ("tags", _rx(r"^(?:كلمات (?:دلاليه|مفتاحيه|البحث)|الكلمات (?:الدلاليه|المفتاحيه)|وسوم|الوسوم|هاشتاج|هاشتاغ|مواضيع|الموضوعات|tags)\s*[:：]")),
    # copyright
    ("copyright", _rx(r"(?:جميع|كل|كافه)\s+الحقوق\s+محفوظه", r"©", r"^(?:حقوق النشر|copyright)")),
    # source / sources header (metadata, read by the metadata step)
    ("source", _rx(r"^(?:المصدر|المصادر|مصدر الخبر)\s*[:：]")),
    # skip links and banners
    ("nav", _rx(r"^skip to (?:main )?content$", r"^(?:اخبار عاجله|عاجل)\s*[:：|]?$", r"^تخط[يى] الي المحتوي$",
                r"^[^|]{2,30}(?:\s*\|\s*[^|]{2,30}){1,8}$")),
    # bylines
    ("byline", _rx(r"^(?:فريق التحرير|هيئه التحرير|التحرير|المحرر|قسم الاخبار(?: الدوليه| المحليه)?|محرر الموقع|خدمه الاخبار)$",
                   r"^(?:كتب|كتبت|بقلم|اعداد|تحرير|تقرير|ترجمه|اعدادها|كتبه)\s*[:：]\s*\S.{0,40}$")),
]

# A caption: an agency/outlet credit after a dash at the end of a line that does not end a
# sentence, or a line that starts by calling itself a photo.
_CAPTION_TAIL = re.compile(r"\s[-–—|]\s*[^\s.،,:؟?!]{2,}(?:\s+[^\s.،,:؟?!]+){0,3}\s*$|\((?:صوره|الصوره|ارشيفيه|ارشيف)[^)]*\)\s*$")
_CAPTION_HEAD = re.compile(r"^(?:صوره|الصوره|صور|من الارشيف|(?:\()?صوره ارشيفيه)\b")
_SENTENCE_END = re.compile(r"[.!؟?]\s*[»”\"')]*\s*$")
_BULLET = re.compile(r"^\s*[•·▪►◄●○■□\-–*]\s+")


@dataclass
class Line:
    text: str  # as written (stripped)
    norm: str
    words: int
    kind: str = ""  # "" (unclassified) | body | date | caption | <boilerplate kind>
    blank_before: bool = False


@dataclass
class Part:
    """One article found in a cleaned input."""

    title: str = ""
    title_derived: bool = False
    body: list[str] = field(default_factory=list)  # paragraphs kept, in order
    removed: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # lines before the body (title excluded)
    date_lines: list[str] = field(default_factory=list)
    source_lines: list[str] = field(default_factory=list)  # «المصدر: …» and what follows «المصادر:»
    copyright_lines: list[str] = field(default_factory=list)
    brand_lines: list[str] = field(default_factory=list)  # «X | الصفحة الرئيسية»

    @property
    def text(self) -> str:
        return "\n\n".join(self.body)


def _is_paragraph(ln: Line) -> bool:
    if ln.words >= MIN_PARAGRAPH_WORDS:
        return True
    return ln.words >= MIN_SENTENCE_WORDS and bool(_SENTENCE_END.search(ln.text))


def _classify(ln: Line) -> str:
    n = ln.norm
    if not n:
        return "blank"
    if ln.words > 40:  # no boilerplate line is this long (longest in the corpus: 25 words)
        return "body"
    if _READ_ALSO.search(n):
        return "readalso"
    if _READ_ALSO_INLINE.search(n) and ln.words <= MAX_TITLE_WORDS:
        return "related"
    if ln.words <= 4 and n.strip(" :：.|-–") in _NAV_WORDS:
        return "nav"
    if ln.words <= 12 and date_line(ln.text):
        return "date"
    # Boilerplate lines do not end a sentence (a short prompt may: «اشترك الآن.»); a body
    # sentence that happens to start like one («التعليقات التي أدلى بها …») does.
    if ln.words <= 25 and (ln.words <= BOILER_SENTENCE_WORDS or _SENTENCE_END.search(ln.text) is None):
        for kind, rx in _BOILER:
            if rx.search(n):
                if kind == "nav" and "|" in n and ln.words > 12:
                    continue
                return kind
    if ln.words <= 40 and not _SENTENCE_END.search(ln.text):
        if _CAPTION_HEAD.search(n) or (ln.words >= 3 and _CAPTION_TAIL.search(n)):
            return "caption"
    if _is_paragraph(ln):
        return "body"
    return ""


def _lines(text: str) -> list[Line]:
    out: list[Line] = []
    blank = False
    # one normalization pass for the whole text (it keeps the length, so lines line up)
    for raw, nraw in zip(text.split("\n"), normalize(text).split("\n")):
        t = raw.strip()
        if not t:
            blank = True
            continue
        if "  " in t or "\t" in t or "\u00a0" in t:
            t = re.sub(r"[ \t\u00a0]+", " ", t)
        n = nraw.replace(GAP, "")
        if "  " in n or "\t" in n:
            n = re.sub(r"\s+", " ", n)
        ln = Line(t, n.strip(), len(t.split()), blank_before=blank)
        ln.kind = _classify(ln)
        out.append(ln)
        blank = False
    return out


def _prepare(text: str) -> str:
    text = fold_presentation_forms(text).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\ufeff", "")


def _derive_title(body: list[str]) -> str:
    """A title from the lead: its first sentence, cut at a comma or at DERIVED_TITLE_WORDS."""
    for para in body:
        sents = split_sentences(para)
        if not sents:
            continue
        s = sents[0].text.rstrip(" .!؟?:")
        ws = s.split()
        if len(ws) <= DERIVED_TITLE_WORDS:
            return s
        head = " ".join(ws[:DERIVED_TITLE_WORDS])
        cut = head.rfind("،")
        # cut at the last comma when at least half the words come before it
        if cut > 0 and len(head[:cut].split()) >= DERIVED_TITLE_WORDS // 2:
            return head[:cut].strip()
        return head.strip() + "…"
    return ""


def _headline_like(ln: Line) -> bool:
    """Could this line be a headline? Headlines may end with «؟» or «!» but not with a full
    stop or a colon, and are at most MAX_TITLE_WORDS long."""
    t = ln.text.rstrip(" »”\"')")
    return (3 <= ln.words <= MAX_TITLE_WORDS and ln.kind in ("", "body")
            and not t.endswith((".", ":", "：", "،", ",")))


# The headline is looked for among the first lines of a part: 20 covers the longest
# navigation block in the corpus (8 lines) plus brand, label, repeated headlines and date.
TITLE_WINDOW = 20


def _find_title(lines: list[Line]) -> Line | None:
    top = lines[:TITLE_WINDOW]
    # 1. a headline repeated near the top (scrapes carry it 2-3 times)
    seen: dict[str, int] = {}
    for ln in top:
        if _headline_like(ln):
            seen[ln.norm] = seen.get(ln.norm, 0) + 1
    for ln in top:
        if seen.get(ln.norm, 0) >= 2:
            return ln
    # 2. the first headline-like line before the first paragraph that ends a sentence,
    #    provided more follows, and not inside the navigation block (a brand line such as
    #    «صحيفة الأفق اليوم» sits next to menu items with no blank line between them)
    for i, ln in enumerate(top):
        if ln.kind == "body" and _SENTENCE_END.search(ln.text) and ln.words > MAX_TITLE_WORDS // 2:
            return None
        if not _headline_like(ln) or not any(x.kind == "body" for x in lines[i + 1:]):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        prv = lines[i - 1] if i > 0 else None
        in_nav = ((nxt is not None and nxt.kind == "nav" and not nxt.blank_before)
                  or (prv is not None and prv.kind == "nav" and not ln.blank_before))
        if not in_nav:
            return ln
    return None


def _split_parts(lines: list[Line]) -> list[list[Line]]:
    """The lines of each part: a «read also» marker followed by a whole article starts a new
    part; followed by headlines only, it and they are marked as a related-links list."""
    parts: list[list[Line]] = [[]]
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.kind == "readalso":
            # what follows: headline-like lines S (no sentence end), then paragraphs
            j = i + 1
            short: list[Line] = []
            while (j < len(lines) and lines[j].kind not in ("readalso", "blank") and len(short) < 12
                   and lines[j].words <= MAX_TITLE_WORDS and not _SENTENCE_END.search(lines[j].text)
                   and (lines[j].kind in ("", "body", "date", "caption", "related")
                        or (lines[j].kind == "nav" and short))):
                short.append(lines[j])
                j += 1
            k = j
            paras = 0
            while k < len(lines) and lines[k].kind in ("body", "", "caption", "date"):
                paras += lines[k].kind == "body"
                k += 1
            # An appended article has one headline, then at most a dateline / date / byline
            # (short lines). Two or more headlines are a links list, even when the body goes on
            # after them (BBC-style «اقرأ أيضا» in the middle of an article, seen in ANT).
            # A single headline in mid-body (right after a paragraph, no date or dateline)
            # is a link too: appended articles follow the first one's footer.
            heads = [x for x in short if x.words >= 5 and x.kind != "date"]
            prev = next((x for x in reversed(parts[-1]) if x.kind != "blank"), None)
            mid_body = prev is not None and prev.kind == "body"
            has_dateline = any(x.kind == "date" or x.words <= 4 for x in short[1:])
            title_ok = (bool(short) and (_headline_like(short[0]) or short[0].kind == "related")
                        and heads[:1] == short[:1] and len(heads) == 1)
            if (title_ok and paras >= MIN_APPENDED_PARAGRAPHS and len(short) <= 3
                    and (not mid_body or has_dateline)):
                ln.kind = "readalso"
                parts[-1].append(ln)
                parts.append([])
                i += 1
                continue
            # a related-links list: the marker and its short lines are boilerplate
            ln.kind = "readalso"
            parts[-1].append(ln)
            for s in short:
                s.kind = "related"
                parts[-1].append(s)
            i = j
            continue
        parts[-1].append(ln)
        i += 1
    return parts


def _bullet_lists(lines: list[Line]) -> None:
    """Runs of ≥2 bulleted short lines are link lists unless inside the body."""
    run: list[Line] = []
    for ln in lines + [Line("", "", 0, kind="blank")]:
        if _BULLET.match(ln.text) and ln.words <= MAX_TITLE_WORDS and ln.kind in ("", "body", "related"):
            run.append(ln)
            continue
        if len(run) >= 2:
            for r in run:
                r.kind = "related"
        run = []


def _clean_part(lines: list[Line], known_title: str | None) -> Part:
    part = Part()
    title_line: Line | None = None
    if known_title:
        part.title = known_title.strip()
        known = _n(known_title)
    else:
        title_line = _find_title(lines)
        known = title_line.norm if title_line is not None else ""
        if title_line is not None:
            part.title = title_line.text
    for ln in lines:  # the headline and its repetitions are not body
        if ln is title_line:
            ln.kind = "title"
        elif known and ln.norm == known and ln.kind in ("", "body", "caption"):
            ln.kind = "repeat"
    body_idx = [i for i, ln in enumerate(lines) if ln.kind == "body"]
    if not body_idx:
        # no paragraph at all (a one-line wire item, a list): the unclassified lines are the body
        for i, ln in enumerate(lines):
            if ln.kind == "":
                ln.kind = "body"
                body_idx.append(i)
    first_body = body_idx[0] if body_idx else len(lines)
    last_body = body_idx[-1] if body_idx else -1

    for idx, ln in enumerate(lines):
        k = ln.kind
        if k == "title":
            continue
        if k == "body":
            part.body.append(ln.text)
            continue
        if k == "date":
            part.date_lines.append(ln.text)
        elif k == "source":
            part.source_lines.append(ln.text)
            # «المصادر:» alone: the next short line names them
            nxt = lines[idx + 1] if idx + 1 < len(lines) else None
            if (nxt is not None and ln.norm.rstrip(" :：") in ("المصادر", "المصدر", "مصدر الخبر")
                    and nxt.words <= 8 and nxt.kind not in ("body", "readalso")):
                part.source_lines.append(ln.text.rstrip() + " " + nxt.text)
                nxt.kind = "sourcevalue"
        elif k == "copyright":
            part.copyright_lines.append(ln.text)
        elif k == "nav" and "|" in ln.text:
            part.brand_lines.append(ln.text)
        elif k == "":
            if first_body < idx < last_body and not _BULLET.match(ln.text):
                part.body.append(ln.text)  # a sub-heading between paragraphs
                continue
            if idx < first_body:
                part.header.append(ln.text)
        part.removed.append(ln.text)
    if not part.title and part.body:
        part.title = _derive_title(part.body)
        part.title_derived = bool(part.title)
    return part


def clean_text(text: str, title: str | None = None) -> list[Part]:
    """Clean scraped article text into parts (part 0 is the main article).

    ``title`` is a headline known from elsewhere (HTML metadata, a record field): lines
    repeating it are removed and it is used as part 0's title.
    """
    lines = _lines(_prepare(text))
    _bullet_lists(lines)
    parts: list[Part] = []
    for i, plines in enumerate(_split_parts(lines)):
        if i > 0 and plines and plines[0].kind in ("", "body", "related", "caption"):
            plines[0].kind = ""  # the appended article's headline
            # make sure it is taken as the title even when long
        p = _clean_part(plines, title if i == 0 else None)
        if i > 0 and not p.title and plines:
            p.title = plines[0].text
        parts.append(p)
    # an appended part without any body is not an article: fold its lines back as removed
    out = [parts[0]]
    for p in parts[1:]:
        if p.body:
            out.append(p)
        else:
            out[0].removed.extend(([p.title] if p.title else []) + p.removed)
    return out


def outlet_hints(part: Part) -> list[str]:
    """Outlet names suggested by copyright lines, in order."""
    return [o for o in (outlet_from_copyright(c) for c in part.copyright_lines) if o]
