"""From a ``RawDoc`` to ``Article``s: extraction (HTML via trafilatura + htmldate + meta
tags; records by field name; scraped text as is), cleaning (``clean.py``) and metadata
(``metadata.py``), one Article per part."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from marsad.errors import InputError
from marsad.ingest import metadata as md
from marsad.ingest.clean import Part, clean_text, outlet_hints
from marsad.model import Article, RawDoc
from marsad.text.dates import parse_date
from marsad.text.normalize import fold_presentation_forms, normalize_for_search

# A part whose cleaned body has fewer characters than this is not an article (an empty page,
# a cookie notice): 40 is shorter than any one-sentence wire item in the corpus (~90).
MIN_BODY_CHARS = 40


def article_id(origin: str, part: int, title: str, text: str) -> str:
    """Stable id: sha1 over the origin's last two path components, the part number and the
    search-normalized text; the first 16 hex digits. ``title`` does not enter the hash (a
    re-derived title must not change the id)."""
    tail = "/".join(origin.replace("\\", "/").split("/")[-2:])
    h = hashlib.sha1(f"{tail}\x1f{part}\x1f{normalize_for_search(text)}".encode("utf-8"))
    return h.hexdigest()[:16]


# --- records ---------------------------------------------------------------------------------

_TITLE_KEYS = ("title", "headline", "heading", "name")
_TEXT_KEYS = ("text", "body", "content", "article", "maintext", "description", "abstract", "summary")
_HTML_KEYS = ("html", "raw_html", "content_html")
_URL_KEYS = ("url", "link", "href", "permalink")
_DATE_KEYS = ("date", "published", "published_at", "publish_date", "pubdate", "pubDate", "time",
              "datetime", "date_published", "created_at", "timestamp")
_OUTLET_KEYS = ("outlet", "source", "site", "site_name", "sitename", "publisher", "newspaper", "feed")
_CREDIT_KEYS = ("credited", "credits", "agency", "agencies")


def _field(lower: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, Any]:
    """(key, value) of the first non-empty value among ``keys`` in a record whose keys are
    lower-cased; ("", None) when there is none."""
    for k in keys:
        v = lower.get(k.lower())
        if v not in (None, "", [], {}):
            return k, v
    return "", None


_JSON_TYPE = {bool: "true/false", int: "a number", float: "a number", dict: "an object",
              list: "a list"}


def _str(origin: str, found: tuple[str, Any], paragraphs: bool = False,
         numbers: bool = False) -> str | None:
    """A record field as text. Strings are taken as they are; a list of strings is the
    paragraphs of a text (``paragraphs``) or its first item; an object is taken by its
    ``name``/``title``/``value``; a number only where ``numbers`` allows it (a timestamp).
    Anything else is an InputError naming the field: a record whose text is ``12345`` or
    ``true`` is a broken record, not an article."""
    key, v = found
    if v is None:
        return None
    if isinstance(v, dict) and not paragraphs:
        inner = next((v[k] for k in ("name", "title", "value") if isinstance(v.get(k), str)), None)
        if inner is None:
            raise InputError(origin, f"field {key!r} is an object without a name, title or value; "
                                     "expected a string")
        v = inner
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        v = "\n\n".join(v) if paragraphs else (v[0] if v else "")
    if isinstance(v, (int, float)) and not isinstance(v, bool) and numbers:
        v = str(v)
    if not isinstance(v, str):
        what = next((w for t, w in _JSON_TYPE.items() if type(v) is t), type(v).__name__)
        detail = " holding something other than strings" if isinstance(v, list) else ""
        raise InputError(origin, f"field {key!r} is {what}{detail}; expected a string")
    return v.strip() or None


# --- HTML ------------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "div", "ul", "ol",
               "table", "section", "article", "aside", "nav", "header", "footer"}


def _meta_tags(html: str) -> tuple[dict[str, str], list[str], list[str]]:
    """(meta name/property -> content, figure captions, visible date texts) of a page."""
    from lxml import html as lhtml

    try:
        doc = lhtml.document_fromstring(html)
    except Exception as exc:  # lxml raises ParserError / ValueError on hopeless markup
        raise InputError("", f"malformed HTML: {exc}") from None
    meta: dict[str, str] = {}
    for m in doc.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        val = (m.get("content") or "").strip()
        if key and val and key not in meta:
            meta[key] = val
    t = doc.find(".//title")
    if t is not None and t.text_content().strip():
        meta.setdefault("html:title", t.text_content().strip())
    h1 = doc.find(".//h1")
    if h1 is not None and h1.text_content().strip():
        meta.setdefault("html:h1", re.sub(r"\s+", " ", h1.text_content()).strip())
    captions = [re.sub(r"\s+", " ", c.text_content()).strip() for c in doc.iter("figcaption")]
    # visible blocks of the page, to list what extraction left out as removed lines
    blocks: list[str] = []
    body_el = doc.find(".//body")
    if body_el is not None:
        for e in body_el.iter("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "div", "span", "a", "td"):
            if e.tag in ("div", "span", "a") and any(c.tag in _BLOCK_TAGS for c in e.iterdescendants()):
                continue
            if e.tag in ("a", "span") and e.getparent() is not None and e.getparent().tag in _BLOCK_TAGS:
                continue
            t = re.sub(r"\s+", " ", e.text_content()).strip()
            if t and t not in blocks:
                blocks.append(t)
    meta["__blocks__"] = blocks  # type: ignore[assignment]
    dates = [re.sub(r"\s+", " ", e.text_content()).strip() for e in doc.iter("time")]
    body = doc.find(".//body")
    if body is not None:
        for e in body.iter():
            cls = (e.get("class") or "") + " " + (e.get("id") or "")
            if e.tag in ("span", "div", "p") and re.search(r"date|time|publish|byline|meta", cls, re.I):
                s = re.sub(r"\s+", " ", e.text_content()).strip()
                if 0 < len(s) < 160:
                    dates.append(s)
    return meta, [c for c in captions if c], dates


def _from_html(raw: RawDoc) -> tuple[str, dict[str, Any]]:
    import trafilatura

    html = raw.html
    if not html or not html.strip():
        raise InputError(raw.origin, "empty HTML")
    if "<" not in html:
        raise InputError(raw.origin, "malformed HTML: no markup")
    try:
        meta, captions, date_texts = _meta_tags(html)
    except InputError as exc:
        raise InputError(raw.origin, exc.problem) from None
    try:
        doc = trafilatura.bare_extraction(html, url=raw.hints.get("url"), with_metadata=True,
                                          include_comments=False, include_tables=False,
                                          include_images=False, favor_precision=True,
                                          deduplicate=False)
    except Exception as exc:  # trafilatura surfaces lxml errors on broken markup
        raise InputError(raw.origin, f"malformed HTML: {exc}") from None
    text = ""
    if doc is not None:
        d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        text = d.get("text") or ""
        meta.setdefault("trafilatura:title", d.get("title") or "")
        meta.setdefault("trafilatura:sitename", d.get("sitename") or "")
        meta.setdefault("trafilatura:date", d.get("date") or "")
    if not text.strip():
        raise InputError(raw.origin, "no article text found in the HTML")
    title = (meta.get("og:title") or meta.get("twitter:title") or meta.get("html:h1")
             or meta.get("trafilatura:title") or "").strip()
    if not title and meta.get("html:title"):
        title = re.split(r"\s+[|–-]\s+", meta["html:title"])[0].strip()
    outlet = (meta.get("og:site_name") or meta.get("application-name") or meta.get("publisher")
              or meta.get("trafilatura:sitename") or "").strip() or None
    published = published_text = None
    for s in date_texts:
        m = md.find_date(s)
        if m:
            published, published_text = m.date, m.date_text
            break
    if published is None:
        for key in ("article:published_time", "og:published_time", "datepublished", "date",
                    "pubdate", "publishdate", "dc.date", "dc.date.issued"):
            if meta.get(key):
                published = parse_date(meta[key])
                if published:
                    published = published[:10]
                    break
    if published is None:
        try:
            from htmldate import find_date as html_find_date

            found = html_find_date(html, original_date=True, outputformat="%Y-%m-%d")
        except Exception:  # htmldate gives up on odd markup; the date is then unknown
            found = None
        published = found or None
    return text, {"title": title or None, "outlet": outlet, "published": published,
                  "published_text": published_text, "captions": captions,
                  "url": meta.get("og:url") or None, "blocks": meta.get("__blocks__") or []}


# --- articles --------------------------------------------------------------------------------

def _article(raw: RawDoc, i: int, p: Part, info: dict[str, Any], file_outlet: str | None) -> Article:
    body = p.text
    # published: a date line of this part, else a dateline opening its first paragraph,
    # else (part 0 only) what the record / page says
    published = published_text = None
    for dl in p.date_lines:
        m = md.date_line(dl)
        if m:
            published, published_text = m.date, m.date_text
            break
    if published is None and p.body:
        m = md.dateline_date(p.body[0])
        if m:
            published, published_text = m.date, m.date_text
    if published is None and i == 0 and info.get("published"):
        published, published_text = info["published"], info.get("published_text")
    if published is None and i == 0 and raw.hints.get("published"):  # the feed's or sitemap's date
        published = str(raw.hints["published"])[:10]

    # a watched page's outlet is the one its source entry names (marsad.fetch sets the hint)
    outlet = raw.hints.get("outlet") or None
    credited: list[str] = []
    for line in p.source_lines:
        value = md.source_line_value(line)
        if value is not None:
            o, c = md.outlet_from_source_line(value)
            outlet = outlet or o
            credited.extend(c)
    if outlet is None and i == 0 and info.get("outlet"):
        outlet = info["outlet"]
    if outlet is None:
        hints = outlet_hints(p)
        outlet = hints[0] if hints else None
    if outlet is None:  # «البلاد (موسكو)» above an appended article: its own outlet
        outlet = next((o for o in map(md.outlet_from_dateline, p.removed[:3]) if o), None)
    if outlet is None:
        outlet = file_outlet
    for c in md.find_credited(body):
        if c not in credited:
            credited.append(c)
    for c in info.get("credited") or []:
        if c not in credited:
            credited.append(c)
    title = p.title if p.title else ""
    return Article(
        id=article_id(raw.origin, i, title, body),
        origin=raw.origin, part=i, title=title, title_derived=p.title_derived,
        published=published, published_text=published_text, outlet=outlet,
        credited=credited, text=body, removed=list(p.removed),
        url=info.get("url") if i == 0 else None,
    )


def _file_outlet(parts: list[Part]) -> str | None:
    for p in parts:
        for line in p.source_lines:
            value = md.source_line_value(line)
            if value is not None:
                o, _ = md.outlet_from_source_line(value)
                if o:
                    return o
    for p in parts:
        hints = outlet_hints(p)
        if hints:
            return hints[0]
    for p in parts:
        for b in p.brand_lines:
            if "|" in b:
                name = b.split("|")[0].strip()
                if 1 <= len(name.split()) <= 4:
                    return name
    return None


def extract_articles(raw: RawDoc) -> list[Article]:
    """Extraction + cleaning + metadata: one Article per part (part 0, 1, …).

    Raises ``InputError`` naming the input when nothing usable remains.
    """
    info: dict[str, Any] = {}
    if raw.kind == "html":
        text, info = _from_html(raw)
    elif raw.kind == "record":
        f = {str(k).lower(): v for k, v in (raw.fields or {}).items()}
        o = raw.origin
        html = _str(o, _field(f, _HTML_KEYS), paragraphs=True)
        text = _str(o, _field(f, _TEXT_KEYS), paragraphs=True) or ""
        if not text and html:
            text, info = _from_html(RawDoc(raw.origin, "html", html=html, hints=raw.hints))
        date_raw = _str(o, _field(f, _DATE_KEYS), numbers=True)
        published = parse_date(date_raw) if date_raw else None
        info = {
            "title": _str(o, _field(f, _TITLE_KEYS)) or info.get("title"),
            "outlet": _str(o, _field(f, _OUTLET_KEYS)) or info.get("outlet"),
            "published": published[:10] if published else info.get("published"),
            "published_text": date_raw if published else info.get("published_text"),
            "url": _str(o, _field(f, _URL_KEYS)) or info.get("url"),
            "credited": [],
        }
        key, cred = _field(f, _CREDIT_KEYS)
        if cred:
            creds = cred if isinstance(cred, list) else [cred]
            info["credited"] = [c for c in (_str(o, (key, c)) for c in creds) if c]
    elif raw.kind == "text":
        text = raw.text
    else:
        raise InputError(raw.origin, f"unknown input kind {raw.kind!r}")
    text = fold_presentation_forms(text or "")
    if not text.strip():
        raise InputError(raw.origin, "no article text")
    parts = clean_text(text, title=info.get("title"))
    if raw.kind == "html" and info.get("captions"):
        caps = {re.sub(r"\s+", " ", c) for c in info["captions"]}
        for p in parts:
            kept = [b for b in p.body if b not in caps]
            p.removed.extend(b for b in p.body if b in caps)
            p.body = kept
    if raw.kind == "html" and info.get("blocks"):
        # what the page showed but extraction left out: navigation, share bars, sidebars
        body_n = normalize_for_search(parts[0].text)
        title_n = normalize_for_search(info.get("title") or "")
        dropped = [b for b in info["blocks"]
                   if normalize_for_search(b) not in body_n and normalize_for_search(b) != title_n
                   and b not in parts[0].removed]
        parts[0].removed[:0] = dropped
    parts = [p for p in parts if len(p.text) >= MIN_BODY_CHARS or (p is parts[0] and p.text)]
    if not parts or not parts[0].text.strip():
        raise InputError(raw.origin, "nothing usable remains after cleaning (no article body)")
    file_outlet = _file_outlet(parts)
    return [_article(raw, i, p, info, file_outlet) for i, p in enumerate(parts)]
