"""Events with numbers: types, PLOVER categories, numbers with what/qualifier/role and exact
spans, actors, places and relative dates resolved against the publication date."""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS, shared_path
from marsad.facts.events import EVENT_TYPES, PLOVER, find_events, resolve_relative_date
from marsad.model import Article, Mention


def events_of(text: str, published: str | None = None, mentions: list[Mention] | None = None):
    article = Article(id="t1", origin="test", text=text, published=published)
    evs = find_events(article, mentions if mentions is not None else [])
    check_spans(article, evs)
    return evs


def check_spans(article: Article, evs) -> None:
    """Every event's evidence is a sentence of the article and every number lies inside it,
    written exactly as reported."""
    for e in evs:
        assert e.type in EVENT_TYPES and e.plover == PLOVER[e.type]
        assert 0 <= e.evidence.start < e.evidence.end <= len(article.text)
        assert article.text[e.evidence.start:e.evidence.end] == e.text
        for n in e.numbers:
            assert e.evidence.start <= n.start < n.end <= e.evidence.end
            assert article.text[n.start:n.end] == n.text


def one(evs, etype):
    got = [e for e in evs if e.type == etype]
    assert len(got) == 1, [(e.type, e.text) for e in evs]
    return got[0]


def nums(event):
    return [(n.value, n.what, n.qualifier, n.role) for n in event.numbers]


def test_casualties_with_qualifier_and_a_part_of_the_toll():
    text = ("أعلنت السلطات الصحية مساء الأحد مقتل 23 شخصا على الأقل بينهم خمسة أطفال وإصابة "
            "أكثر من 60 آخرين في قصف مدفعي استهدف سوق الخضار في مدينة الرستن.")
    ev = one(events_of(text), "casualties")
    assert ev.plover == "ASSAULT"
    assert nums(ev) == [(23, "قتلى", "at least", None), (5, "أطفال", None, "among قتلى"),
                        (60, "جرحى", "more than", None)]
    assert ev.place == "الرستن"
    assert not [e for e in events_of(text) if e.type == "attack"]  # the same happening


def test_revised_toll_takes_the_toll_it_revises():
    text = ("ارتفع عدد القتلى جراء انفجار الصهريج في الطريق الساحلي إلى 17 شخصا، بعد وفاة "
            "اثنين من المصابين، فيما بلغ عدد الجرحى 42، بعد أن كانت الحصيلة الأولى تشير إلى تسعة قتلى.")
    ev = one(events_of(text), "casualties")
    got = nums(ev)
    assert (17, "قتلى", None, None) in got
    assert (42, "جرحى", None, None) in got
    assert (9, "قتلى", None, "earlier") in got  # the earlier figure is kept apart
    # the two who died are a part of the injured, not a new toll
    assert [n for n in ev.numbers if n.value == 2][0].role == "among جرحى"


@pytest.mark.parametrize("text, value", [
    ("وأسفر القصف عن مقتل شخصين في بلدة كفرنبل.", 2),
    ("ولقي جنديان حتفهما في انفجار عبوة ناسفة على الطريق.", 2),
    ("قتل طفلين وأصيبت والدتهما في الغارة.", 2),
    ("وقتل ثلاثة عشر مدنيا في الهجوم على القرية.", 13),
    ("وأدى القصف إلى مقتل خمسة وعشرين شخصا.", 25),
    ("ارتفعت حصيلة القتلى إلى ١٤ بحسب وزارة الصحة.", 14),
])
def test_killed_counts_in_words_duals_and_digits(text, value):
    ev = one(events_of(text), "casualties")
    killed = [n for n in ev.numbers if n.what == "قتلى"]
    assert [n.value for n in killed] == [value]


def test_interception_ratio():
    text = "وأعلن الجيش أن دفاعاته الجوية أسقطت 35 من أصل 40 مسيرة أطلقت نحو المدينة الليلة الماضية."
    ev = one(events_of(text, published="2025-06-12"), "interception")
    assert nums(ev) == [(35, "مسيرات", None, "intercepted"), (40, "مسيرات", None, "launched")]
    assert ev.date == "2025-06-11"
    text = "وأطلقت القوات نحو 40 طائرة مسيرة على المنطقة، تم إسقاط 35 منها."
    ev = one(events_of(text), "interception")
    assert nums(ev) == [(40, "مسيرات", "about", "launched"), (35, "مسيرات", None, "intercepted")]


def test_overthrowing_is_not_an_interception():
    evs = events_of("ودعا المتظاهرون إلى إسقاط الحكومة وإجراء انتخابات مبكرة.")
    assert "interception" not in [e.type for e in evs]


def test_no_agreement_and_agreement():
    evs = events_of("وقال المتحدث إن الطرفين لم يتوصلا إلى أي اتفاق حول تبادل الزيارات بعد ثلاث جولات.")
    types = [e.type for e in evs]
    assert "no_agreement" in types and "agreement" not in types
    assert one(evs, "no_agreement").plover == "REJECT"
    evs = events_of("ووقعت الحكومة والحركة المسلحة في الدوحة اتفاقا لوقف إطلاق النار يبدأ سريانه غدا.")
    types = [e.type for e in evs]
    assert "agreement" in types and "no_agreement" not in types
    assert "attack" not in types  # «وقف إطلاق النار» stops shooting, it is not shooting
    assert one(evs, "agreement").place == "الدوحة"
    evs = events_of("لا يوجد اتفاق سلام بعد فشل المحادثات في جنيف.")
    assert "no_agreement" in [e.type for e in evs]


def test_talks_with_actors_from_mentions():
    text = "والتقى وزير الخارجية سامي الحداد نظيره التركي في أنقرة اليوم الاثنين لبحث ملف الحدود."
    start = text.index("سامي الحداد")
    mentions = [Mention("t1", "سامي الحداد", "PERSON", start, start + len("سامي الحداد"))]
    ev = one(events_of(text, published="2024-03-11", mentions=mentions), "talks")
    assert ev.plover == "CONSULT"
    assert "سامي الحداد" in ev.actors
    assert ev.place == "أنقرة"
    assert ev.date == "2024-03-11"  # «اليوم الاثنين» on Monday 11 March 2024


def test_prisoner_exchange_with_numbers():
    text = "وأتمّ الطرفان عملية تبادل شملت 120 أسيرا من الجانبين بإشراف الصليب الأحمر."
    ev = one(events_of(text), "prisoner_exchange")
    assert ev.plover == "CONCEDE"
    assert nums(ev) == [(120, "أسرى", None, None)]
    text = "وأفرجت السلطات عن 85 معتقلا مقابل 60 محتجزا لدى الفصائل."
    ev = one(events_of(text), "prisoner_exchange")
    assert [n.value for n in ev.numbers] == [85, 60]


def test_protest_with_thousands_of_protesters():
    text = "وخرج آلاف المتظاهرين إلى شوارع العاصمة أمس الجمعة احتجاجا على رفع أسعار الخبز."
    ev = one(events_of(text, published="2024-03-16"), "protest")
    assert ev.plover == "PROTEST"
    assert nums(ev) == [(1000, "متظاهرين", "thousands", None)]
    assert ev.date == "2024-03-15"


def test_arrests_count_the_arrested():
    ev = one(events_of("واعتقلت الشرطة نحو 30 شخصا خلال مداهمات في حي الزيتون."), "arrest")
    assert ev.plover == "COERCE"
    assert nums(ev) == [(30, "معتقلين", "about", None)]


def test_years_days_and_percentages_are_not_counts():
    text = "وقتل 4 أشخاص في هجوم وقع في 12 مارس 2024 على الطريق، أي بزيادة 30 في المئة عن عام 2023."
    ev = one(events_of(text), "casualties")
    assert [n.value for n in ev.numbers] == [4]


def test_actors_and_place_from_the_text_alone():
    text = "ونفذت القوات الروسية هجوما بالصواريخ على مدينة خاركيف فجر اليوم."
    ev = one(events_of(text, published="2025-01-09"), "attack")
    assert "القوات الروسية" in ev.actors
    assert ev.place == "خاركيف"
    assert ev.date == "2025-01-09"


@pytest.mark.parametrize("expr, published, expected", [
    ("اليوم الخميس", "2025-07-31", "2025-07-31"),
    ("أمس", "2025-07-31", "2025-07-30"),
    ("أول أمس", "2025-07-31", "2025-07-29"),
    ("الليلة الماضية", "2025-07-31", "2025-07-30"),
    ("الثلاثاء", "2025-07-31", "2025-07-29"),
    ("الجمعة الماضية", "2025-08-01", "2025-07-25"),
    ("الأحد المقبل", "2025-07-31", "2025-08-03"),
    ("29 نوفمبر", "2025-12-02", "2025-11-29"),
    ("أمس", None, None),
])
def test_relative_dates(expr, published, expected):
    assert resolve_relative_date(expr, published) == expected


def test_no_events_in_plain_text():
    assert events_of("وافتتح المعرض الدولي للكتاب أبوابه أمام الزوار بمشاركة 300 دار نشر.") == []
    assert events_of("") == []


# ------------------------------------------------------------------------------------------
# Seeds (read at run time; nothing is copied from them)


def _seed(name_prefix: str) -> Article:
    seeds = shared_path("seeds")
    path = next(p for p in sorted(seeds.iterdir()) if p.name.startswith(name_prefix))
    return Article(id=path.stem, origin=str(path), text=path.read_text(encoding="utf-8"))


def _seed_numbers(article: Article) -> list[tuple]:
    evs = find_events(article, [])
    check_spans(article, evs)
    return [(e.type, n.value, n.what, n.qualifier, n.role) for e in evs for n in e.numbers]


def test_seed_toll_revised_from_eight_to_fourteen():
    got = _seed_numbers(_seed("003"))
    assert ("casualties", 14, "قتلى", "at least", None) in got
    assert ("casualties", 8, "قتلى", "at least", None) in got


def test_seed_two_killed_in_missile_strikes():
    got = _seed_numbers(_seed("004"))
    assert [g for g in got if g[:3] == ("casualties", 2, "قتلى")]
    launched = [g for g in got if g[2] == "مسيرات" and g[1] == 102]
    assert launched and launched[0][3] == "at least"


def test_seed_drones_intercepted_and_prisoners_exchanged():
    got = _seed_numbers(_seed("002"))
    assert ("interception", 40, "مسيرات", "about", "launched") in got
    assert ("interception", 35, "مسيرات", None, "intercepted") in got
    assert [g for g in got if g[0] == "prisoner_exchange" and g[1] == 1000]


def test_seed_consumers_left_without_power():
    # seed 004: the tens of thousands cut off by the strikes on the grid, the thousands left
    # without heating, and the consumers cut off in two regions (both counts of one sentence)
    art = _seed("004")
    evs = find_events(art, [])
    check_spans(art, evs)
    out = [(n.value, n.qualifier) for e in evs if e.type == "outage" for n in e.numbers]
    assert (17500, "more than") in out and (5000, "about") in out
    assert (10000, "tens of thousands") in out and (1000, "thousands") in out
    assert all(n.what == "بلا كهرباء" for e in evs if e.type == "outage" for n in e.numbers)


@pytest.mark.parametrize("text, expected", [
    ("وانقطع التيار الكهربائي عن أكثر من 12 ألف مشترك في مدينة حمص وحوالي 3000 في ريفها.",
     [(12000, "more than"), (3000, "about")]),
    ("وأدى القصف إلى انقطاع الكهرباء عن عشرات الآلاف في الأحياء الشرقية وتسبب في أضرار كبيرة.",
     [(10000, "tens of thousands")]),
    ("وتسببت العاصفة في سقوط الأشجار وترك الآلاف بلا كهرباء في المنطقة الساحلية.", [(1000, "thousands")]),
    # homes cut off count; the firemen named beside the cut do not
    ("وقال المسؤول إن نحو 300 من عناصر الدفاع المدني يعملون في الموقع فيما انقطعت الكهرباء عن 15 ألف منزل.",
     [(15000, None)]),
])
def test_a_power_cut_counts_those_left_without_power(text, expected):
    evs = events_of(text)
    got = [(n.value, n.qualifier) for e in evs if e.type == "outage" for n in e.numbers]
    assert got == expected, [(e.type, nums(e)) for e in evs]


def test_a_power_cut_without_a_count_is_no_event():
    assert not [e for e in events_of("وتعاني المدينة من انقطاع الكهرباء منذ سنوات.") if e.type == "outage"]


def test_seed_kremlin_says_no_agreement():
    evs = find_events(_seed("000"), [])
    assert "no_agreement" in [e.type for e in evs]
    evs = find_events(_seed("003"), [])
    assert "no_agreement" in [e.type for e in evs]


# ------------------------------------------------------------------------------------------
# The example corpus gold (examples/gold.json)

# The gold files casualties and arrests during a protest under «protest»; we report what the
# sentence says (casualties, arrest) next to it.
_SAME = {"protest": {"protest", "casualties", "arrest"}, "talks": {"talks", "prisoner_exchange"}}
_WHAT = {"قتلى": "قتلى", "جرحى": "جرحى", "موقوفون": "معتقلين", "متظاهرون": "متظاهرين",
         "مسيرات": "مسيرات", "مسيرات معترضة": "مسيرات"}


def _corpus_text(origin: str) -> str:
    """The article text of a corpus input (raw text is enough to find an event sentence)."""
    if "#" in origin:
        fname, line = origin.split("#")
        rec = json.loads((CORPUS / fname).read_text(encoding="utf-8").splitlines()[int(line) - 1])
        return rec.get("text") or ""
    path = CORPUS / origin
    if path.suffix in (".html", ".htm"):
        import lxml.html

        doc = lxml.html.fromstring(path.read_bytes())
        return "\n".join(e.text_content() for e in doc.iter("p", "h1", "h2", "li"))
    return path.read_text(encoding="utf-8")


def test_corpus_gold_events(gold):
    found = missed_numbers = 0
    failures = []
    for g in gold["events"]:
        text = _corpus_text(g["origin"])
        pos = text.find(g["sentence_contains"])
        assert pos >= 0, g
        article = Article(id="g", origin=g["origin"], text=text)
        evs = [e for e in find_events(article, []) if e.evidence.start <= pos < e.evidence.end]
        check_spans(article, evs)
        types = {e.type for e in evs}
        if not types & _SAME.get(g["type"], {g["type"]}):
            failures.append((g["origin"], g["type"], sorted(types)))
            continue
        found += 1
        ours = [(n.value, n.what) for e in evs for n in e.numbers]
        for n in g["numbers"]:
            want = _WHAT.get(n["what"])
            ok = any(v == n["value"] and (want is None or w == want) for v, w in ours)
            missed_numbers += not ok
    # Measured when written: 31 of 35 gold event sentences found with a matching type (45 of
    # their 59 numbers by value); the misses are two decisions on oil output filed as
    # agreements, a protest sentence that names no protest («عدد المشاركين») and the
    # percentages of a strike.
    assert found >= 0.8 * len(gold["events"]), failures
    core = [n for g in gold["events"] for n in g["numbers"] if n["what"] in ("قتلى", "جرحى")]
    assert core, "the gold has casualty numbers"
    # casualty numbers of the gold sentences we find must all be there
    for g in gold["events"]:
        text = _corpus_text(g["origin"])
        pos = text.find(g["sentence_contains"])
        evs = [e for e in find_events(Article(id="g", origin="x", text=text), [])
               if e.evidence.start <= pos < e.evidence.end]
        ours = {(n.value, n.what) for e in evs for n in e.numbers}
        for n in g["numbers"]:
            if n["what"] in ("قتلى", "جرحى") and evs:
                assert (n["value"], n["what"]) in ours, (g["origin"], n, ours)


# ------------------------------------------------------------------------------------------
# The event gate (models/events_gate.json)


def test_gate_model_ships_and_reads_the_whole_sentence():
    from marsad.facts.event_gate import gate_model

    model = gate_model()
    assert set(model) == {"ASSAULT", "PROTEST"}
    for weights, _, threshold in model.values():
        assert len(weights) > 1000 and 0 < threshold < 1


@pytest.mark.parametrize("text, etype", [
    ("وقال مصدر أمني إن مسلحين مجهولين هاجموا نقطة تفتيش للشرطة في مدينة بعقوبة صباح أمس، "
     "ما أدى إلى مقتل ثلاثة من عناصرها.", "casualties"),
    ("وانفجرت سيارة مفخخة قرب سوق شعبي وسط المدينة مساء اليوم الثلاثاء، وأفاد شهود بأن سيارات "
     "الإسعاف هرعت إلى المكان.", "attack"),
    ("وتظاهر آلاف الطلاب أمس أمام مبنى البرلمان في العاصمة احتجاجا على رفع الرسوم الجامعية.", "protest"),
    ("ونظم عمال المصنع اعتصاما مفتوحا أمام مقر الإدارة صباح اليوم للمطالبة بصرف رواتبهم المتأخرة.",
     "protest"),
])
def test_gate_keeps_event_reports(text, etype):
    ev = one(events_of(text), etype)
    assert not ev.doubtful


@pytest.mark.parametrize("text", [
    "ويرى محللون أن الهجمات المتكررة على المدنيين تعكس فشل السياسات الأمنية التي تبنتها الحكومة "
    "خلال السنوات الماضية.",
    "وحذر الوزير من أن أي هجوم على المنشآت النفطية سيقابل برد حازم.",
    "ويرى مراقبون أن موجة الاحتجاجات التي شهدتها البلاد العام الماضي غيرت المشهد السياسي.",
    "ودعا رئيس الحكومة المتظاهرين إلى الحوار ونبذ العنف.",
])
def test_gate_drops_commentary_that_names_attacks_or_protests(text):
    assert not [e for e in events_of(text) if e.plover in ("ASSAULT", "PROTEST")]


def test_gate_is_switched_by_the_config_passed_not_by_a_module_global():
    import dataclasses

    from marsad.facts import EventsConfig, FactsConfig, extract_facts, extract_facts_many

    text = "وحذر الوزير من أن أي هجوم على المنشآت النفطية سيقابل برد حازم."
    article = Article(id="t1", origin="test", text=text)
    assault = lambda evs: [e.type for e in evs if e.plover == "ASSAULT"]  # noqa: E731
    cues_alone = EventsConfig(use_gate=False)
    assert assault(find_events(article, [])) == []
    assert assault(find_events(article, [], config=EventsConfig())) == []
    assert assault(find_events(article, [], config=cues_alone)) == ["attack"]
    # the default is not changed by a config passed once
    assert assault(find_events(article, [])) == []
    with pytest.raises(dataclasses.FrozenInstanceError):
        cues_alone.use_gate = True  # type: ignore[misc]
    # the facts stage passes it through, one article or many
    off = FactsConfig(events=cues_alone)
    assert assault(extract_facts(article).events) == []
    assert assault(extract_facts(article, config=off).events) == ["attack"]
    assert [assault(f.events) for f in extract_facts_many([article, article], config=off)] == [["attack"]] * 2
    assert [assault(f.events) for f in extract_facts_many([article])] == [[]]


def test_gate_keeps_a_counted_toll_as_doubtful_with_its_numbers():
    # commentary that still counts a toll: the numbers stay, the event is marked doubtful
    text = "ويرى محللون أن الهجمات المتكررة أودت منذ عام 2019 بحياة 340 مدنيا على الأقل."
    evs = [e for e in events_of(text) if e.plover == "ASSAULT"]
    assert evs and all(e.doubtful for e in evs)
    # a toll counted «منذ عام 2019» is a running total, not one incident's
    assert (340, "قتلى", "at least", "cumulative") in [x for e in evs for x in nums(e)]


@pytest.mark.parametrize("text, expected", [
    ("وأصيب مدني بجروح طفيفة في قصف استهدف الحي صباح اليوم.", [(1, "جرحى")]),
    ("وقتل جندي وأصيب مدني في هجوم على حاجز عسكري قرب المدينة.", [(1, "قتلى"), (1, "جرحى")]),
    ("وشيع الأهالي الشهداء الثلاثة في موكب مهيب بعد مقتلهم في الغارة.", [(3, "قتلى")]),
    ("وقتل الجنود الأربعة في كمين نصبه مسلحون على الطريق الجبلي.", [(4, "قتلى")]),
    ("وقتل شخص واحد في الهجوم.", [(1, "قتلى")]),  # counted once, by «واحد»
])
def test_implicit_counts_singular_and_definite(text, expected):
    got = [(n.value, n.what) for e in events_of(text) if e.plover == "ASSAULT" for n in e.numbers]
    assert got == expected


def test_definite_number_words_need_a_people_noun():
    assert events_of("وقضى الأصدقاء الثلاثة عطلتهم في الجبل.") == []
    evs = events_of("وتواصل القصف على المدينة خلال الأيام الثلاثة الماضية.")
    assert not [n for e in evs for n in e.numbers]


# --- numbers that belong to their own noun, and are counts at all ---

def _all_nums(text: str, published: str | None = None):
    return [(n.value, n.what) for e in events_of(text, published) for n in e.numbers]


def test_shooting_at_four_policemen_wounding_one_is_one_wounded():
    text = "وفتح مسلح النار على أربعة شرطيين عند حاجز أمني فأصاب واحدا منهم بجروح خطيرة قبل أن يلوذ بالفرار."
    got = _all_nums(text)
    assert (4, "جرحى") not in got and not any(v == 2 for v, _ in got)
    assert (1, "جرحى") in got  # «فأصاب واحدا منهم»


def test_years_and_labels_are_no_counts():
    text = ("وقتل ستة أشخاص في هجوم مماثل وقع في بلدة الشاطئ في أيار/مايو 2017 وأسفر عن دمار واسع.\n"
            "وأعاد التحقيق إلى الأذهان الرحلة إم إتش 17 التي أسقطت وقتل كل ركابها.\n"
            "وأسفرت الغارات التي تشنها الطائرات منذ 2016 وقتل فيها المئات عن تدمير المستشفى.")
    got = _all_nums(text)
    assert (6, "قتلى") in got
    assert not any(v in (2017, 17, 2016) for v, _ in got), got


def test_things_counted_in_a_casualty_sentence_are_not_the_toll():
    text = "ونقلت نحو 40 سيارة إسعاف جثامين القتلى الذين سقطوا في القصف، كما دمرت ثلاثة بيوت بالكامل."
    assert not any(what in ("قتلى", "جرحى") for _, what in _all_nums(text))


def test_wounded_after_their_number_and_kidnapped_are_not_killed():
    text = ("وقال مدير الصحة إن 37 شخصا قتلوا بينهم 12 طفلا، و64 جرحوا في الهجوم الذي شنه مسلحون "
            "على القرية حيث قاموا بذبح تسعة رجال وخطف سبع نساء وتشريد 300 آخرين.")
    got = _all_nums(text)
    assert (37, "قتلى") in got and (64, "جرحى") in got and (9, "قتلى") in got
    assert (64, "قتلى") not in got
    assert not any(v in (7, 300) for v, _ in got), got


def test_a_negated_injury_cue_wounds_no_one():
    text = "ولم يصب أي من الركاب البالغ عددهم 120 راكبا وأفراد الطاقم التسعة بأي جروح عندما انحرفت الطائرة."
    assert not any(what == "جرحى" for _, what in _all_nums(text))


# --- type and place from the event's own clause ---

def test_place_of_origin_is_not_the_place_of_the_attack():
    text = ("وقالت الشرطة إن المهاجم الذي ولد في الشيشان قتل شخصا وأصاب أربعة آخرين في هجوم بسكين "
            "في باريس مساء السبت.")
    evs = [e for e in events_of(text) if e.plover == "ASSAULT"]
    assert evs and all(e.place == "باريس" for e in evs), [(e.type, e.place) for e in evs]


def test_place_nearest_to_the_event_cue_wins():
    text = ("وبعد أيام من زيارة الوزير إلى القاهرة، قتل ثلاثة جنود في انفجار عبوة ناسفة في العريش.")
    ev = one(events_of(text), "casualties")
    assert ev.place == "العريش"


def test_a_word_after_a_place_head_is_not_always_a_name():
    text = "وقتل أربعة مدنيين في قصف على المنطقة، وفقا لمصادر محلية."
    ev = one(events_of(text), "casualties")
    assert ev.place != "وفقا"


def test_a_senate_vote_on_a_nominee_is_no_election():
    text = "وقال السيناتور إنه سيعارض ترشيحها لرئاسة الوكالة عند التصويت في مجلس الشيوخ الأسبوع المقبل."
    assert not any(e.type == "election" for e in events_of(text))
    text = "وتوجه الناخبون إلى مراكز الاقتراع للتصويت في الانتخابات البلدية صباح الأحد."
    assert any(e.type == "election" for e in events_of(text))


def test_a_toll_since_the_start_of_an_operation_is_a_running_total():
    text = ("وأسفر القصف على منطقة الوادي، منذ بدء العملية العسكرية في 3 شباط، عن مقتل 312 مدنيا، "
            "بينهم 60 طفلا، بحسب منظمة حقوقية.")
    got = [(n.value, n.role) for e in events_of(text) for n in e.numbers]
    assert (312, "cumulative") in got
    text = "وقتل خمسة مدنيين اليوم، فيما ارتفع عدد القتلى منذ بدء الحرب إلى أكثر من 9000."
    got = {n.value: n.role for e in events_of(text) for n in e.numbers}
    assert got.get(5) is None and got.get(9000) == "cumulative"


@pytest.mark.parametrize("text, expected", [
    # the object of a wounding/killing verb after a shooting: the part hit, never the group shot at
    ("وأطلق شرطي النار على أربعة لصوص فأصاب اثنين منهم.", [(2, "جرحى")]),
    ("وأطلق مسلحون النار على سيارة تقل ستة عمال فقتلوا ثلاثة منهم.", [(3, "قتلى")]),
    ("وأطلق مسلح النار على خمسة حراس فقتل واحدا منهم.", [(1, "قتلى")]),
])
def test_a_group_shot_at_is_not_the_toll_of_those_hit(text, expected):
    got = [(v, w) for v, w in _all_nums(text) if w in ("قتلى", "جرحى")]
    assert got == expected


@pytest.mark.parametrize("text, value", [
    ("وأفرجت السلطات عن خمسة صحفيين أجانب بعد أسابيع من احتجازهم.", 5),  # plural, not a dual
    ("وأصيب عاملان بجروح في انفجار داخل المصنع.", 2),  # a nominative dual
])
def test_plurals_count_their_number_and_duals_two(text, value):
    assert [v for v, _ in _all_nums(text)] == [value]


@pytest.mark.parametrize("text", [
    "وقتلت القوات الحكومية مسلحين في اشتباكات عنيفة على أطراف البلدة.",
    "وأصيب موظفين في انفجار داخل مبنى البلدية صباح الثلاثاء.",
])
def test_an_oblique_plural_without_a_number_counts_no_two(text):
    assert not any(v == 2 for v, _ in _all_nums(text))


@pytest.mark.parametrize("text, count, not_counts", [
    ("وقتل شاب يبلغ من العمر 23 عاما برصاص قناص في حي الزهور.", (1, "قتلى"), 23),  # an age
    ("وقتل سبعة أشخاص في 15 مارس عندما استهدفت قذيفة سوقا شعبيا.", (7, "قتلى"), 15),  # a date
    ("وقتل جنديان في هجوم على مقر اللواء 93 شمال المدينة.", (2, "قتلى"), 93),  # a unit's number
    ("وأصيب ثلاثة مدنيين في انفجار على الطريق رقم 6 قرب المدينة.", (3, "جرحى"), 6),  # an id
    ("وقتل أربعة مدنيين في غارة جوية مماثلة عام 2015 على البلدة.", (4, "قتلى"), 2015),  # a year
])
def test_ages_dates_ids_and_years_are_not_counts(text, count, not_counts):
    got = _all_nums(text)
    assert count in got and not any(v == not_counts for v, _ in got), got


@pytest.mark.parametrize("text, count", [
    ("ودمرت الغارة خمسة منازل وقتلت طفلين في القرية.", (2, "قتلى")),
    ("وقتل ثلاثة أشخاص في قصف طال أربع مدارس في المدينة.", (3, "قتلى")),
    ("وأصيب شرطي في هجوم استهدف 3 كنائس في العاصمة.", (1, "جرحى")),
])
def test_a_number_belongs_to_its_own_noun(text, count):
    assert _all_nums(text) == [count]


@pytest.mark.parametrize("text", [
    "وفرضت الخزانة الأمريكية عقوبات على مسؤولين كبار شاركوا في المفاوضات مع الحكومة.",
    "وأعلنت بريطانيا فرض عقوبات على روسيا وطرد 23 دبلوماسيا بعد اجتماع لمجلس الأمن القومي.",
    "وقررت الإدارة الأمريكية فرض عقوبات على موسكو عقب لقاء جمع وزيري خارجية البلدين.",
    "وهدد الرئيس بفرض عقوبات اقتصادية جديدة إذا فشلت المفاوضات.",
])
def test_sanctions_are_not_talks(text):
    assert not any(e.type in ("talks", "no_agreement") for e in events_of(text))


def test_talks_in_a_clause_of_their_own_beside_sanctions_are_talks():
    text = "وفرضت واشنطن عقوبات على موسكو، فيما عقد وزيرا خارجية البلدين محادثات في جنيف."
    assert one(events_of(text), "talks").place == "جنيف"


def test_an_opponent_of_a_nominee_is_no_election_and_his_past_no_place():
    text = ("وقال السيناتور جون ماكين، الذي كان أسيرا في فيتنام، إنه يعارض ترشيح المرشحة لرئاسة "
            "الوكالة وسيصوت ضد تعيينها.")
    evs = events_of(text)
    assert not any(e.type == "election" for e in evs)
    assert not any(e.place == "فيتنام" for e in evs)


@pytest.mark.parametrize("text", [
    "وقتل جنديان في هجوم على نقطة تفتيش، وفقا لبيان الجيش.",
    "وقتل أربعة مدنيين في غارة جوية على البلدة ذاتها.",
    "وأصيب خمسة أشخاص في انفجار داخل المدينة الصناعية، وفقا لمصادر طبية.",
])
def test_no_place_made_of_a_function_word_or_an_adjective(text):
    for e in events_of(text):
        assert e.place not in ("وفقا", "ذاتها", "الصناعية"), e.place


# Misreadings of tolls in ANT articles of February-March 2018 (sentences written for the tests,
# modelled on them).

@pytest.mark.parametrize("text, expected", [
    # the people a storm affected are no toll, though the sentence names the dead
    ("وأعلنت هيئة الطوارئ عدد القتلى في الإقليم، وقالت إن 20 ألف شخص تضرروا من الإعصار.", []),
    # refugees and displaced people conjoined to a war's dead are no more dead
    ("خلفت الحرب أكثر من 200 ألف قتيل و5 ملايين لاجئ فضلا عن 3 ملايين نازح.", [(200000, "قتلى")]),
    # those carrying out the attack, the passengers of a plane, the rescued, a rate's base,
    # the captured and the bullets are no toll either
    ("وقالت إحدى الضحايا إنها تعرضت للضرب على يد 6 رجال قبل أن يقتلوا شقيقها.", []),
    ("تحطمت طائرة تقل 60 شخصا قرب المطار مما أدى إلى مقتل 30 شخصا على الأقل.", [(30, "قتلى")]),
    ("وأسفر الحادث عن مقتل 30 شخصا على الأقل فيما جرى إنقاذ 12 آخرين.", [(30, "قتلى")]),
    ("وبلغ معدل جرائم القتل 90 جريمة لكل 100 ألف شخص في المدينة.", []),
    ("وجاءت العاصمة في المركز الثاني بمعدل 95.2 حالة قتل لكل 100 ألف نسمة.", []),
    ("قتل 11 عنصرا من المسلحين كما أسر 4 آخرون في المعارك.", [(11, "قتلى")]),
    ("وأصيب الرجل بثلاث رصاصات في صدره ونقل إلى المستشفى.", []),
    # a dual of a thing («السيارتين») counts no dead
    ("وأقرت الجماعة بمقتل خمسة من عناصرها بينهم سائقا السيارتين المفخختين.", [(5, "قتلى")]),
])
def test_counts_that_are_no_toll(text, expected):
    assert [x for x in _all_nums(text) if x[1] in ("قتلى", "جرحى")] == expected


@pytest.mark.parametrize("text, expected", [
    # «لقي … مصرعه» is the verb of the count it surrounds, whatever wounded cue precedes it
    ("أصيب 5 أشخاص بجروح فيما لقي 2 آخران من أفراد الأمن مصرعهما في الانفجار.", [(5, "جرحى"), (2, "قتلى")]),
    ("أصيب 5 أشخاص بجروح فيما لقي اثنان آخران مصرعهما في الانفجار.", [(5, "جرحى"), (2, "قتلى")]),
    # the count is the subject of «لقوا مصرعهم» written several words after it
    ("وقال مصدر طبي إن 6 مسلحين من الجماعة على الأقل لقوا مصرعهم وأصيب أكثر من 20 آخرين في الاشتباكات.",
     [(6, "قتلى"), (20, "جرحى")]),
])
def test_met_their_death_is_killed(text, expected):
    assert _all_nums(text) == expected


@pytest.mark.parametrize("text", [
    "قضت محكمة مصرية بإعدام رجل بعد إدانته بسرقة مصرف في العاصمة.",
    "قضت محكمة عسكرية الاثنين بإعدام 12 شخصا بعد إدانتهم بالانتماء إلى جماعة محظورة.",
    "وطالبت النيابة العامة بإعدام 3 متهمين في القضية.",
])
def test_a_death_sentence_is_no_death(text):
    assert not [x for x in _all_nums(text) if x[1] == "قتلى"]
    assert not any(e.type == "casualties" for e in events_of(text))


def test_an_execution_carried_out_still_kills():
    assert _all_nums("وأعدم مسلحو التنظيم خمسة أشخاص في ساحة البلدة.") == [(5, "قتلى")]


@pytest.mark.parametrize("text, expected", [
    ("قتل ضابط وجندي فرنسيان في هجوم بسكين في مدينة ليون.", [(2, "قتلى")]),
    ("وأسفر الهجوم عن مقتل ضابط وجندي وإصابة ثلاثة آخرين.", [(2, "قتلى"), (3, "جرحى")]),
    ("وأصيب شرطي ومدني وسائق بجروح طفيفة في الانفجار.", [(3, "جرحى")]),
    ("وأسفر انفجار الطرد عن مقتل رجل ومراهق في الحي.", [(2, "قتلى")]),
])
def test_lone_people_joined_by_and_are_counted_together(text, expected):
    got = _all_nums(text)
    assert got == expected
    ev = [e for e in events_of(text) if e.numbers][0]
    assert ev.numbers[0].text.startswith(("ضابط", "شرطي", "رجل"))  # one span over the joined nouns


def test_a_count_joined_to_a_part_of_a_toll_is_a_part_too():
    text = "وقال الدفاع المدني إن 20 مدنيا بينهم 5 أطفال وامرأتان قتلوا في الغارة."
    got = [(n.value, n.what, n.role) for e in events_of(text) for n in e.numbers]
    assert (20, "قتلى", None) in got
    assert not any(v == 2 and role is None for v, _, role in got)


@pytest.mark.parametrize("text, expected", [
    # a cue before «إن» belongs to the sentence around the clause; the count's own verb follows it
    ("وقالت منظمة تعنى بإسعاف المصابين إن 9 مدنيين لقوا مصرعهم في القصف.", [(9, "قتلى", None)]),
    ("وقال مدير المستشفى الذي يستقبل الجرحى إن 14 شخصا قتلوا في الانفجار.", [(14, "قتلى", None)]),
    # the parts between a count and its verb are parts of that toll
    ("وقالت منظمة تعنى بإسعاف المصابين إن 9 مدنيين بينهم 3 أطفال وامرأتان لقوا مصرعهم في القصف.",
     [(9, "قتلى", None), (3, "أطفال", "among قتلى"), (2, "امرأتان", "among قتلى")]),
])
def test_a_count_takes_the_verb_of_its_own_clause(text, expected):
    assert [(n.value, n.what, n.role) for e in events_of(text) for n in e.numbers] == expected


@pytest.mark.parametrize("text, expected", [
    ("وأعلنت المنظمة رصد 860 حالة إصابة بالمرض ذاته في القرى الشمالية.", []),
    ("وسجلت الوزارة 40 إصابة جديدة بفيروس الحصبة خلال الأسبوع.", []),
    # deaths of a disease stay deaths
    ("وأعلنت المنظمة تسجيل 72 حالة وفاة و1193 إصابة بالكوليرا.", [(72, "قتلى")]),
])
def test_cases_of_a_disease_are_no_wounded(text, expected):
    assert _all_nums(text) == expected


def test_a_verb_after_a_governed_count_leaves_it_a_toll():
    # the killed verb governs the count across its subject; «حاولوا» says who they were
    assert _all_nums("وقتل الجيش 15 مسلحا حاولوا التسلل إلى الموقع في الهجوم.") == [(15, "قتلى")]
