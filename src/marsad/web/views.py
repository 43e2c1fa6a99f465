"""The web dashboard: server-rendered, right-to-left Arabic pages over the API's service.

Pages: ``/`` latest stories with their source counts, ``/story/{id}`` a story with its brief,
``/search`` full-text search with facets, ``/entities`` and ``/entity/{id}`` (what a person
said over time, in which stories), ``/article/{id}?hl=START-END`` an article with the cited
span highlighted. Jinja2 escapes everything the store holds; the only markup that is not
escaped is built here from escaped pieces (search snippets, the highlighted span). The pages
run no script and load nothing but ``/static/marsad.css``.

Briefs are read defensively (``brief_view``): a section whose key is missing or whose shape is
not understood is left out, so any brief ``marsad.briefs`` writes, older or newer, renders.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from marsad.errors import InputError
from marsad.render.common import EVENT_TYPES, NOTES, UNKNOWN_OUTLET, counts_label, fmt_date, fmt_number, history_rows
from marsad.render.common import KINDS as RENDER_KINDS
from marsad.web.throttle import FailureThrottle, client_key

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGE_SIZE = 20

KINDS = {"event": "حدث", "statement": "تصريح", "claim": "ادعاء", "denial": "نفي", "conflict": "تعارض"}
KINDS = {**KINDS, **RENDER_KINDS}
ENTITY_TYPES = {"PERSON": "شخص", "ORG": "منظمة", "PLACE": "مكان", "OTHER": "أخرى"}


def article_url(article_id: str, start: int | None = None, end: int | None = None) -> str:
    url = "/article/" + quote(str(article_id), safe="")
    if start is not None and end is not None:
        url += f"?hl={int(start)}-{int(end)}#hl"
    return url


def highlight_text(text: str, span: tuple[int, int] | None) -> Markup:
    """The article text, escaped, with ``span`` wrapped in <mark id="hl">."""
    if span is None:
        return Markup(escape(text))
    s, e = span
    return Markup(escape(text[:s]) + Markup('<mark id="hl" class="evidence">') + escape(text[s:e])
                  + Markup("</mark>") + escape(text[e:]))


# -- briefs, read defensively -------------------------------------------------------------------
def _cite(src: Any) -> dict[str, Any] | None:
    """A citation link from a brief's source entry (evidence span or article + offsets)."""
    if not isinstance(src, dict):
        return None
    ev = src.get("evidence") if isinstance(src.get("evidence"), dict) else src
    art = ev.get("article") or src.get("article")
    if not isinstance(art, str):
        return None
    start, end = ev.get("start"), ev.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
        start = end = None
    return {"article": art, "start": start, "end": end, "outlet": src.get("outlet"),
            "published": src.get("published"), "url": article_url(art, start, end)}


def _cites(sources: Any) -> list[dict[str, Any]]:
    if isinstance(sources, dict):
        sources = [sources]
    if not isinstance(sources, list):
        return []
    return [c for c in (_cite(s) for s in sources) if c]


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def brief_view(brief: Any) -> dict[str, Any]:
    """The parts of a brief the story page shows; unknown or malformed parts are dropped."""
    b = brief if isinstance(brief, dict) else {}
    view: dict[str, Any] = {}

    summary = []
    for s in _dicts(b.get("summary")):
        if _str(s.get("text")):
            summary.append({"text": s["text"], "cite": _cite(s),
                            "also": [o.get("outlet") for o in _dicts(s.get("also_in")) if _str(o.get("outlet"))]})
    view["summary"] = summary

    timeline = []
    for t in _dicts(b.get("timeline")):
        if not _str(t.get("text")):
            continue
        nums = []
        for n in t.get("numbers") or []:
            if isinstance(n, dict) and "value" in n:
                nums.append(fmt_number(n.get("value"), n.get("qualifier")) + (f" {n['what']}" if _str(n.get("what")) else ""))
        timeline.append({"date": t.get("date"), "kind": KINDS.get(t.get("kind") or "", t.get("kind")),
                         "type": EVENT_TYPES.get(t.get("type") or "", t.get("type")),
                         "text": t["text"], "speaker": _str(t.get("speaker")), "role": _str(t.get("role")),
                         "numbers": nums, "sources": _cites(t.get("sources"))})
    view["timeline"] = timeline

    numbers = []
    for g in _dicts(b.get("numbers")):
        if "latest" not in g or g.get("has_figures") is False:
            continue  # context numbers (parts of a toll, vague magnitudes) are not figures
        try:
            rows, others = history_rows(g)
            label = counts_label(g)
        except (KeyError, TypeError, AttributeError):  # a brief of another shape: show it plainly
            rows, others, label = _dicts(g.get("history")), [], _str(g.get("what")) or _str(g.get("key")) or ""
        history = []
        for h in rows:
            note = NOTES.get(h.get("note") or "", "")
            copies = len(h.get("copies") or [])
            history.append({"value": fmt_number(h.get("value"), h.get("qualifier")),
                            "outlet": h.get("outlet") or UNKNOWN_OUTLET,
                            "published": h.get("published"), "cite": _cite(h),
                            "note": note + (f" (+{copies} نسخ منقولة)" if copies else "")})
        for h in others:
            history.append({"value": fmt_number(h.get("value"), h.get("qualifier")), "outlet": h.get("outlet"),
                            "published": h.get("published"), "cite": _cite(h),
                            "note": NOTES.get(h.get("note") or "", h.get("note") or ""), "minor": True})
        latest_q = (g.get("latest_report") or {}).get("qualifier") if isinstance(g.get("latest_report"), dict) else None
        vals = g.get("values") if isinstance(g.get("values"), list) else []
        numbers.append({"what": label,
                        "latest": fmt_number(g.get("latest"), latest_q),
                        "most_reported": g.get("most_reported"), "values": vals,
                        "changed": bool(g.get("changed")), "history": history})
    view["numbers"] = numbers

    def side(x: Any) -> dict[str, Any] | None:
        if not isinstance(x, dict):
            return None
        return {"who": _str(x.get("claimant")), "text": _str(x.get("text")) or _str(x.get("target")),
                "sources": _cites(x.get("sources"))}

    contradictions = []
    for c in _dicts(b.get("contradictions")):
        denies = side(c.get("denies"))
        says = side(c.get("says"))
        if denies is None and says is None:
            continue
        contradictions.append({"kind": KINDS.get(c.get("kind") or "", c.get("kind")), "topic": _str(c.get("topic")),
                               "says": says, "denies": denies})
    view["contradictions"] = contradictions

    speakers = []
    for g in _dicts(b.get("quotes_by_speaker")):
        quotes = [{"text": q["text"], "direct": bool(q.get("direct")),
                   "via": [v for v in (q.get("via") or []) if isinstance(v, str)],
                   "sources": _cites(q.get("sources"))}
                  for q in _dicts(g.get("quotes")) if _str(q.get("text"))]
        if quotes:
            speakers.append({"speaker": _str(g.get("speaker")) or "—", "role": _str(g.get("role")),
                             "entity": _str(g.get("entity")), "quotes": quotes})
    view["speakers"] = speakers

    src = b.get("sources") if isinstance(b.get("sources"), dict) else {}
    outlets = []
    for o in src.get("outlets") or []:
        if isinstance(o, str):
            outlets.append({"name": o, "articles": None, "copies": 0})
        elif isinstance(o, dict):
            arts = o.get("articles")
            outlets.append({"name": o.get("outlet") or o.get("name") or "مصدر غير معروف",
                            "articles": len(arts) if isinstance(arts, list) else arts,
                            "copies": o.get("copies") or 0})
    agencies = [a if isinstance(a, str) else a.get("name") for a in (src.get("agencies") or [])
                if isinstance(a, str) or (isinstance(a, dict) and _str(a.get("name")))]
    copies = [{"outlet": c.get("outlet"), "of": c.get("copy_of_outlet"),
               "url": article_url(c["article"]) if _str(c.get("article")) else None}
              for c in _dicts(src.get("copies"))]
    view["sources"] = {"outlets": outlets, "agencies": agencies, "copies": copies} if (outlets or agencies or copies) else None
    return view


# -- pages --------------------------------------------------------------------------------------
class LoginRequired(Exception):
    pass


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(enabled_extensions=("html",), default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update({"date": fmt_date, "day": lambda v: fmt_date(v, with_time=False),
                        "num": fmt_number, "article_url": article_url,
                        "etype": lambda t: ENTITY_TYPES.get(t or "", t)})
    env.globals.update({"urlencode": urlencode, "quote": lambda s: quote(str(s), safe="")})
    return env


def local_path(target: str) -> str:
    """``target`` when it is a path on this server, else ``/``: where the login page may send
    the reader. Browsers read a backslash as a slash and drop tabs and line breaks from URLs,
    so «/\\evil.example» or «/<TAB>/evil.example» would leave the site like «//evil.example»."""
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 0x20 or ord(c) == 0x7f for c in target)):
        return "/"
    return target


def _pages(total: int, page: int, size: int) -> dict[str, Any]:
    pages = max(1, math.ceil(total / size))
    return {"page": page, "pages": pages, "prev": page - 1 if page > 1 else None,
            "next": page + 1 if page < pages else None}


def mount(app: FastAPI, service: Any, require_read: Callable[[Request], None], token: str | None,
          throttle: FailureThrottle | None = None) -> None:
    """Add the dashboard's pages to ``app``; ``throttle`` backs off clients that send wrong
    tokens to ``/login`` (shared with the API's token checks)."""
    env = _env()
    throttle = throttle if throttle is not None else FailureThrottle()

    def render(name: str, status: int = 200, headers: dict[str, str] | None = None, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**ctx), status_code=status, headers=headers)

    def guard(request: Request) -> None:
        try:
            require_read(request)
        except HTTPException as exc:
            if exc.status_code in (401, 403):
                raise LoginRequired() from None
            raise

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        return render("login.html", status=401, next=request.url.path, error=None)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/"):
        return render("login.html", next=local_path(next), error=None)

    @app.post("/login", include_in_schema=False)
    def login(request: Request, token_field: str = Form("", alias="token"), next: str = Form("/")):
        import hmac

        who = client_key(request)
        wait = throttle.retry_after(who)
        if wait:
            return render("login.html", status=429, headers={"Retry-After": str(wait)}, next=next,
                          error=f"محاولات خاطئة كثيرة: أعد المحاولة بعد {wait} ثانية")
        if token is None or not hmac.compare_digest(token_field.encode(), token.encode()):
            throttle.failure(who)
            return render("login.html", status=403, next=next, error="رمز غير صحيح")
        throttle.success(who)
        target = local_path(next)
        resp = RedirectResponse(target, status_code=303)
        resp.set_cookie("marsad_token", token_field, httponly=True, samesite="strict")
        return resp

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request, page: int = 1):
        guard(request)
        d = service.derived()
        stories = d["stories"]
        page = max(1, page)
        shown = stories[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        lines = d["storyline"]
        items = [{"story": s, "sources": len(s.outlets), "articles": len(s.articles),
                  "storyline": lines.get(s.storyline).title if s.storyline in lines else None,
                  "lead": (brief_view(s.brief)["summary"] or [None])[0]} for s in shown]
        return render("index.html", items=items, stats=service.stats(), nav="home",
                      pager=_pages(len(stories), page, PAGE_SIZE), storylines=d["storylines"][:12])

    @app.get("/story/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story_id: str):
        guard(request)
        try:
            s = service.story(story_id)
        except HTTPException:
            return render("notfound.html", status=404, what="القصة", ident=story_id)
        d = service.derived()
        meta = service.article_meta()
        articles = sorted((meta[a] for a in s.articles if a in meta),
                          key=lambda m: (m["published"] or ""), reverse=True)
        line = d["storyline"].get(s.storyline) if s.storyline else None
        siblings = [d["story"][x] for x in (line.stories if line else []) if x != s.id and x in d["story"]]
        return render("story.html", story=s, brief=brief_view(s.brief), articles=articles,
                      storyline=line, siblings=siblings[:10], nav="home")

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request, q: str = "", outlet: str = "", story: str = "", entity: str = "",
                    date_from: str = "", date_to: str = "", page: int = 1):
        guard(request)
        page = max(1, page)
        params = {k: v for k, v in {"q": q, "outlet": outlet, "story": story, "entity": entity,
                                    "date_from": date_from, "date_to": date_to}.items() if v}
        results, error = None, None
        if q.strip():
            try:
                results = service.store.search(q, outlet=outlet or None, story=story or None,
                                               entity=entity or None, date_from=date_from or None,
                                               date_to=date_to or None, limit=PAGE_SIZE,
                                               offset=(page - 1) * PAGE_SIZE, facets=True)
            except InputError as exc:
                error = exc.problem
        titles = {sid: s.title for sid, s in service.derived()["story"].items()}

        def url_with(**changes: str | None) -> str:
            p = dict(params)
            for k, v in changes.items():
                if v:
                    p[k] = v
                else:
                    p.pop(k, None)
            return "/search?" + urlencode(p)

        pager = _pages(results.total, page, PAGE_SIZE) if results else None
        return render("search.html", q=q, params=params, results=results, error=error, titles=titles,
                      url_with=url_with, pager=pager, nav="search",
                      snippet=lambda html: Markup(html))  # built by the search module from escaped text

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_page(request: Request, type: str = "", page: int = 1):
        guard(request)
        ents = service.derived()["entities"]
        if type:
            ents = [e for e in ents if e.type == type.upper()]
        page = max(1, page)
        return render("entities.html", entities=ents[(page - 1) * 50: page * 50], type=type,
                      pager=_pages(len(ents), page, 50), nav="entities", types=ENTITY_TYPES)

    @app.get("/changes", response_class=HTMLResponse, include_in_schema=False)
    def changes_page(request: Request, since: str = "", hours: float = 6.0):
        from marsad.changes import parse_since, story_changes
        from marsad.errors import InputError

        guard(request)
        try:
            when = parse_since(since or None)
        except InputError:
            when = parse_since(None)
        view = story_changes(service.store, when, hours=min(max(hours, 0.5), 24 * 30), limit=30)
        return render("changes.html", view=view, since=since, nav="changes")

    @app.get("/sources", response_class=HTMLResponse, include_in_schema=False)
    def sources_page(request: Request):
        from marsad.fetch.health import source_health

        guard(request)
        return render("sources.html", sources=source_health(service.store), nav="sources")

    @app.get("/entity/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(request: Request, entity_id: str):
        guard(request)
        try:
            view = service.entity_view(entity_id)
        except HTTPException:
            return render("notfound.html", status=404, what="الكيان", ident=entity_id)
        for qd in view["quotes"]:
            ev = qd["evidence"]
            qd["url"] = article_url(ev["article"], ev["start"], ev["end"])
        return render("entity.html", view=view, e=view["entity"], nav="entities")

    @app.get("/article/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str, hl: str = ""):
        guard(request)
        try:
            a, f = service.article(article_id)
        except HTTPException:
            return render("notfound.html", status=404, what="المقال", ident=article_id)
        span, notice = None, None
        if hl:
            try:
                s, e = (int(x) for x in hl.split("-", 1))
                if not 0 <= s < e <= len(a.text):
                    raise ValueError
                span = (s, e)
            except ValueError:
                notice = "المقطع المطلوب خارج نص المقال"
        facts = []
        for q in f.quotes:
            facts.append({"kind": "اقتباس", "who": q.speaker.name, "text": q.text,
                          "url": article_url(a.id, q.evidence.start, q.evidence.end)})
        for c in f.claims:
            facts.append({"kind": "نفي" if c.stance == "denies" else "ادعاء", "who": c.claimant, "text": c.text,
                          "url": article_url(a.id, c.evidence.start, c.evidence.end)})
        for ev in f.events:
            nums = "، ".join(fmt_number(n.value, n.qualifier) + (f" {n.what}" if n.what else "") for n in ev.numbers)
            facts.append({"kind": EVENT_TYPES.get(ev.type, ev.type), "who": ev.place,
                          "text": ev.text or nums, "url": article_url(a.id, ev.evidence.start, ev.evidence.end)})
        story = service.derived()["story"].get(a.story) if a.story else None
        return render("article.html", a=a, text=highlight_text(a.text, span), notice=notice, facts=facts,
                      story=story, highlighted=a.text[span[0]:span[1]] if span else None, nav="")
