"""A small store of realistic Arabic news for the search, API and browser tests.

Three stories from four outlets: talks on a Black Sea grain corridor (Kremlin statements, a
denial, with clitic forms «وللكرملين», «بالكرملين» and the spelling «اوكرانيا» without hamza),
a drone strike on Odesa with a casualty count revised from 8 to 14, and a Gulf football
final. One article carries HTML and a script tag in its text, which must be shown as text.
The story briefs are written here by hand in the shape ``marsad.briefs`` produces, with
evidence offsets computed from the article text, so citations can be followed.
"""

from __future__ import annotations

from marsad.model import (Article, Claim, Entity, Evidence, Facts, Mention, Number, Quote, Speaker,
                          Story, Storyline, Event)
from marsad.store import Store

ARTICLES: list[dict] = [
    dict(id="a-kremlin-1", outlet="وكالة الأنباء العربية", published="2024-03-04T09:10:00+03:00",
         story="s-grain", title="الكرملين: لا اتفاق بعد على ممر الحبوب في البحر الأسود",
         text=("قال المتحدث باسم الكرملين دميتري بيسكوف، اليوم الاثنين، إن موسكو لم تتوصل بعد "
               "إلى اتفاق مع أوكرانيا بشأن ممر آمن لسفن الحبوب في البحر الأسود.\n\n"
               "وأضاف بيسكوف في تصريحات للصحفيين: «المحادثات مستمرة لكن لا توجد نتائج ملموسة حتى الآن».\n\n"
               "وكانت تقارير صحفية غربية قد تحدثت عن تقدم في المفاوضات التي تجري بوساطة تركية.")),
    dict(id="a-kremlin-2", outlet="صحيفة الشرق اليوم", published="2024-03-05T14:30:00+02:00",
         story="s-grain", title="موسكو تنفي تقريرا عن اتفاق وشيك حول الحبوب",
         text=("نفى الكرملين تقريرا لوكالة بلومبرغ أفاد بأن روسيا واوكرانيا على وشك توقيع اتفاق "
               "لاستئناف صادرات الحبوب عبر البحر الأسود.\n\n"
               "وقال مصدر مقرب من الوفد الروسي إن الاجتماع المقبل في إسطنبول سيكون تقنيا فقط.\n\n"
               "وفي بيان نشر على موقعه، أكد مكتب الرئيس الأوكراني أن كييف لن تقبل بأي شروط تمس سيادتها.")),
    dict(id="a-kremlin-3", outlet="موقع المرصد الإخباري", published="2024-03-06T08:00:00+00:00",
         story="s-grain", title="مصادر: الوسطاء الأتراك يقدمون مقترحا جديدا",
         text=("ذكرت مصادر دبلوماسية أن الوسطاء الأتراك قدموا مقترحا جديدا وللكرملين مهلة أسبوع للرد "
               "عليه، فيما تواصل أوكرانيا تصدير شحنات محدودة من الموانئ الجنوبية.\n\n"
               "وأوضحت المصادر أن المقترح يتضمن رقابة دولية على السفن في الممر.")),
    dict(id="a-odesa-1", outlet="وكالة الأنباء العربية", published="2024-03-07T07:45:00+03:00",
         story="s-odesa", title="مقتل 8 أشخاص على الأقل في هجوم بمسيرات على أوديسا",
         text=("قتل ثمانية أشخاص على الأقل وأصيب آخرون في هجوم بطائرات مسيرة استهدف مبنى سكنيا "
               "في مدينة أوديسا الساحلية فجر اليوم الخميس، بحسب ما أعلنت السلطات المحلية.\n\n"
               "وقال حاكم المقاطعة إن فرق الإنقاذ ما زالت تبحث عن ناجين تحت الأنقاض.")),
    dict(id="a-odesa-2", outlet="صحيفة الشرق اليوم", published="2024-03-08T10:00:00+02:00",
         story="s-odesa", title="ارتفاع حصيلة قتلى الهجوم على أوديسا إلى 14",
         text=("ارتفعت حصيلة قتلى الهجوم بالمسيرات على مدينة أوديسا إلى 14 قتيلا على الأقل، "
               "بينهم ثلاثة أطفال، بعد انتشال جثث جديدة من تحت الأنقاض.\n\n"
               "واتهمت كييف موسكو باستهداف المدنيين عمدا، فيما قالت وزارة الدفاع الروسية "
               "إنها ضربت أهدافا عسكرية فقط.")),
    dict(id="a-odesa-3", outlet="قناة الخليج نيوز", published="2024-03-08T12:20:00+04:00",
         story="s-odesa", title="<b>عاجل</b>: أوديسا تشيع ضحايا الهجوم",
         text=("شيع آلاف من سكان أوديسا ضحايا الهجوم الأخير في جنازة مهيبة.\n\n"
               "وكتب أحد المشيعين على لافتة: <script>alert('xss')</script> «لن ننسى».\n\n"
               "ودعا رئيس البلدية إلى تعزيز الدفاعات الجوية حول المدينة.")),
    dict(id="a-football-1", outlet="قناة الخليج نيوز", published="2024-02-20T21:00:00+04:00",
         story="s-final", title="العين يتوج بلقب كأس الخليج للأندية بعد فوز مثير",
         text=("توج نادي العين بلقب كأس الخليج للأندية بعد فوزه على منافسه بثلاثة أهداف مقابل هدفين "
               "في المباراة النهائية التي أقيمت مساء أمس.\n\n"
               "وقال مدرب الفريق إن اللاعبين قدموا أداء رائعا رغم الضغط الجماهيري.")),
    dict(id="a-football-2", outlet="موقع المرصد الإخباري", published="2024-02-21T09:00:00+00:00",
         story="s-final", title="جماهير العين تحتفل بالكأس",
         text=("احتفلت جماهير نادي العين حتى ساعات الفجر بالتتويج بالكأس، ورفع المشجعون أعلام "
               "النادي في شوارع المدينة.\n\n"
               "ويعد هذا اللقب الثالث للنادي في البطولة الخليجية.")),
]

QUOTE_TEXT = "المحادثات مستمرة لكن لا توجد نتائج ملموسة حتى الآن"
DENIAL_TEXT = "نفى الكرملين تقريرا لوكالة بلومبرغ"
SUMMARY_SENTENCE = "ارتفعت حصيلة قتلى الهجوم بالمسيرات على مدينة أوديسا إلى 14 قتيلا على الأقل"


def _span(text: str, needle: str) -> tuple[int, int]:
    i = text.index(needle)
    return i, i + len(needle)


def articles() -> list[Article]:
    return [Article(origin=f"test://{d['id']}", **d) for d in ARTICLES]


def facts_for(a: Article) -> Facts:
    f = Facts()
    if a.id == "a-kremlin-1":
        s, e = _span(a.text, "دميتري بيسكوف")
        f.mentions.append(Mention(a.id, "دميتري بيسكوف", "PERSON", s, e, canonical="دميتري بيسكوف",
                                  role="المتحدث باسم الكرملين", entity="e-peskov"))
        qs, qe = _span(a.text, QUOTE_TEXT)
        f.quotes.append(Quote(a.id, Speaker("دميتري بيسكوف", "المتحدث باسم الكرملين", "e-peskov"),
                              QUOTE_TEXT, True, Evidence(a.id, qs - 1, qe + 1)))
    if a.id == "a-kremlin-2":
        s, e = _span(a.text, DENIAL_TEXT)
        f.claims.append(Claim(a.id, "الكرملين", "denies", "اتفاق وشيك حول الحبوب", DENIAL_TEXT,
                              Evidence(a.id, s, e), target_claimant="بلومبرغ"))
        s, e = _span(a.text, "الكرملين")
        f.mentions.append(Mention(a.id, "الكرملين", "ORG", s, e, canonical="الكرملين", entity="e-kremlin"))
    if a.id == "a-odesa-1":
        s, e = _span(a.text, "قتل ثمانية أشخاص على الأقل")
        f.events.append(Event(a.id, "attack", Evidence(a.id, s, e), place="أوديسا", date="2024-03-07",
                              numbers=[Number(8, "قتلى", None, "at least", "ثمانية")]))
    if a.id == "a-odesa-2":
        s, e = _span(a.text, SUMMARY_SENTENCE)
        f.events.append(Event(a.id, "attack", Evidence(a.id, s, e), place="أوديسا", date="2024-03-08",
                              numbers=[Number(14, "قتلى", None, "at least", "14")]))
    return f


def briefs(arts: dict[str, Article]) -> dict[str, dict]:
    k1, k2 = arts["a-kremlin-1"], arts["a-kremlin-2"]
    o1, o2 = arts["a-odesa-1"], arts["a-odesa-2"]
    qs, qe = _span(k1.text, QUOTE_TEXT)
    ds, de = _span(k2.text, DENIAL_TEXT)
    ss, se = _span(o2.text, SUMMARY_SENTENCE)
    s8, e8 = _span(o1.text, "قتل ثمانية أشخاص على الأقل")

    def src(a: Article, s: int, e: int) -> dict:
        return {"article": a.id, "outlet": a.outlet, "published": a.published, "title": a.title,
                "evidence": {"article": a.id, "start": s, "end": e}}

    grain = {
        "summary": [{"text": k1.text[qs:qe], "article": k1.id, "outlet": k1.outlet,
                     "published": k1.published, "start": qs, "end": qe,
                     "evidence": {"article": k1.id, "start": qs, "end": qe}}],
        "quotes_by_speaker": [{"speaker": "دميتري بيسكوف", "role": "المتحدث باسم الكرملين",
                               "entity": "e-peskov",
                               "quotes": [{"text": QUOTE_TEXT, "direct": True, "via": [],
                                           "sources": [src(k1, qs, qe)]}]}],
        "contradictions": [{"kind": "denial", "topic": "اتفاق وشيك حول الحبوب",
                            "says": {"claimant": "بلومبرغ", "text": "روسيا واوكرانيا على وشك توقيع اتفاق",
                                     "sources": []},
                            "denies": {"claimant": "الكرملين", "text": DENIAL_TEXT,
                                       "sources": [src(k2, ds, de)]}}],
        "sources": {"outlets": [k1.outlet, k2.outlet, arts["a-kremlin-3"].outlet],
                    "agencies": ["بلومبرغ"], "copies": [], "articles": 3},
    }
    odesa = {
        "timeline": [
            {"date": "2024-03-07", "kind": "event", "type": "attack", "text": o1.text[s8:e8],
             "speaker": None, "numbers": [{"value": 8, "what": "قتلى"}], "sources": [src(o1, s8, e8)]},
            {"date": "2024-03-08", "kind": "event", "type": "attack", "text": SUMMARY_SENTENCE,
             "speaker": None, "numbers": [{"value": 14, "what": "قتلى"}], "sources": [src(o2, ss, se)]},
        ],
        "numbers": [{"key": "violence:killed", "what": "قتلى", "latest": 14, "most_reported": 14,
                     "values": [8, 14], "changed": True,
                     "history": [{"value": 8, "qualifier": "at least", "outlet": o1.outlet,
                                  "article": o1.id, "published": o1.published,
                                  "evidence": {"article": o1.id, "start": s8, "end": e8}},
                                 {"value": 14, "qualifier": "at least", "outlet": o2.outlet,
                                  "article": o2.id, "published": o2.published,
                                  "evidence": {"article": o2.id, "start": ss, "end": se}}]}],
        "summary": [{"text": SUMMARY_SENTENCE, "article": o2.id, "outlet": o2.outlet,
                     "published": o2.published, "start": ss, "end": se,
                     "evidence": {"article": o2.id, "start": ss, "end": se}}],
    }
    return {"s-grain": grain, "s-odesa": odesa, "s-final": {}}


STORY_TITLES = {"s-grain": "مفاوضات ممر الحبوب في البحر الأسود",
                "s-odesa": "الهجوم بالمسيرات على أوديسا",
                "s-final": "نهائي كأس الخليج للأندية"}


def fill(store: Store) -> Store:
    """Store the corpus, its facts, stories with briefs, storylines and entities."""
    arts = articles()
    for a in arts:
        store.add_input(f"key-{a.id}", a.origin, [(a, facts_for(a))])
    by_id = {a.id: a for a in arts}
    bs = briefs(by_id)
    stories = []
    for sid, title in STORY_TITLES.items():
        members = [a for a in arts if a.story == sid]
        dates = sorted(a.published for a in members)
        stories.append(Story(id=sid, title=title, storyline="l-ukraine" if sid != "s-final" else "l-sport",
                             articles=[a.id for a in members],
                             outlets=sorted({a.outlet for a in members if a.outlet}),
                             first_seen=dates[0], last_seen=dates[-1], keywords=[], brief=bs[sid]))
    storylines = [Storyline("l-ukraine", "الحرب في أوكرانيا", ["s-grain", "s-odesa"]),
                  Storyline("l-sport", "كرة القدم الخليجية", ["s-final"])]
    entities = [Entity("e-peskov", "دميتري بيسكوف", "PERSON", ["بيسكوف"], ["المتحدث باسم الكرملين"], 2),
                Entity("e-kremlin", "الكرملين", "ORG", [], [], 3)]
    store.replace_derived(stories, storylines, entities)
    return store
