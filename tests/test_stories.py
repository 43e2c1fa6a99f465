"""Story clustering on hand-written Arabic reports: same story, other story, later development."""

from __future__ import annotations

import pytest

from marsad.dedup import Deduper
from marsad.model import Article
from marsad.stories import StoryClusterer, same_story_score

# Story 1: floods in Kassala, three outlets, same day, independent wording.
FLOOD_A = Article(
    id="flood-a", origin="a.txt", outlet="الخرطوم اليوم", published="2024-08-05T09:00",
    title="سيول جارفة تغمر أحياء في مدينة كسلا شرقي السودان",
    text=(
        "غمرت سيول جارفة ناتجة عن أمطار غزيرة عدداً من أحياء مدينة كسلا شرقي السودان فجر الاثنين، "
        "ما أدى إلى انهيار مئات المنازل المبنية من الطين وتشريد آلاف الأسر.\n"
        "وقال مسؤول في الدفاع المدني بولاية كسلا إن مياه نهر القاش ارتفعت إلى مستويات قياسية "
        "وتجاوزت السدود الترابية التي تحمي المدينة، مشيراً إلى مقتل ستة أشخاص على الأقل.\n"
        "وناشدت حكومة الولاية المنظمات الإنسانية تقديم الخيام والأغذية والأدوية للمتضررين من "
        "الفيضان، فيما لجأت عائلات كثيرة إلى المدارس والمساجد."
    ),
)
FLOOD_B = Article(
    id="flood-b", origin="b.txt", outlet="صوت الشرق", published="2024-08-05T13:30",
    title="ستة قتلى وآلاف المشردين بفيضان نهر القاش في كسلا",
    text=(
        "لقي ستة أشخاص حتفهم وشُردت آلاف العائلات بعد أن فاض نهر القاش على مدينة كسلا في "
        "شرق السودان إثر هطول أمطار غزيرة طوال الليل.\n"
        "وأفاد شهود بأن المياه اجتاحت الأحياء الشرقية للمدينة وجرفت منازل الطين والمتاجر، "
        "بينما عملت فرق الدفاع المدني على إجلاء السكان بالقوارب.\n"
        "وطالب والي كسلا بتدخل عاجل من المنظمات الإنسانية لتوفير المأوى والغذاء للأسر "
        "المنكوبة التي احتمت بالمدارس."
    ),
)
FLOOD_C = Article(
    id="flood-c", origin="c.txt", outlet="النيلين", published="2024-08-06T08:15",
    title="ارتفاع حصيلة ضحايا فيضان كسلا إلى تسعة قتلى",
    text=(
        "ارتفعت حصيلة ضحايا الفيضان الذي ضرب مدينة كسلا شرقي السودان إلى تسعة قتلى، بحسب ما "
        "أعلنته وزارة الصحة بالولاية الثلاثاء، بعد العثور على ثلاث جثث تحت أنقاض منازل "
        "منهارة.\n"
        "وما زالت مياه نهر القاش تغمر أحياء عدة في المدينة، فيما تواصل فرق الدفاع المدني "
        "إجلاء الأسر المشردة إلى مراكز الإيواء في المدارس.\n"
        "وبدأت منظمات إنسانية توزيع الخيام والأغذية على المتضررين من السيول."
    ),
)
# Unrelated: a football result the same day.
FOOTBALL = Article(
    id="football", origin="d.txt", outlet="الرياضية", published="2024-08-05T21:00",
    title="الهلال يتأهل إلى نهائي كأس الأندية بفوز صعب على الأهلي",
    text=(
        "تأهل فريق الهلال إلى المباراة النهائية لبطولة كأس الأندية بعد فوزه على الأهلي بهدفين "
        "مقابل هدف في نصف النهائي الذي أقيم مساء الاثنين.\n"
        "وافتتح الأهلي التسجيل في الشوط الأول من ركلة جزاء، قبل أن يعادل مهاجم الهلال النتيجة "
        "ويضيف زميله هدف الفوز في الدقيقة الخامسة والثمانين.\n"
        "ويلتقي الهلال في النهائي الأسبوع المقبل الفائز من مواجهة المريخ والزمالك."
    ),
)
# A development five weeks later: the reconstruction conference for the flooded city.
REBUILD = Article(
    id="rebuild", origin="e.txt", outlet="الخرطوم اليوم", published="2024-09-10T10:00",
    title="مؤتمر لإعادة إعمار أحياء كسلا المتضررة من فيضان القاش",
    text=(
        "انطلق في مدينة كسلا شرقي السودان الثلاثاء مؤتمر لإعادة إعمار الأحياء التي دمرها فيضان "
        "نهر القاش مطلع أغسطس، بمشاركة حكومة الولاية ومنظمات إنسانية ومانحين.\n"
        "وقال والي كسلا إن الفيضان هدم أكثر من ألفي منزل من الطين وشرد آلاف الأسر التي ما زال "
        "بعضها يقيم في المدارس، داعياً إلى بناء سدود جديدة تحمي المدينة من السيول.\n"
        "وتعهد المانحون بتمويل بناء مساكن دائمة وإصلاح السدود الترابية قبل موسم الأمطار المقبل."
    ),
)


def syndicated_copy_of(a: Article, new_id: str) -> Article:
    """Another outlet's run of ``a``: new headline, last paragraph cut, share line added."""
    body = a.text.rsplit("\n", 1)[0] + "\nتابعونا على تويتر وفيسبوك"
    return Article(id=new_id, origin=new_id + ".txt", outlet="وكالة الأنباء", title="عاجل: " + a.title[:20],
                   published=a.published, text=body)


def run(articles: list[Article], use_embeddings: bool) -> tuple[Deduper, StoryClusterer]:
    d, c = Deduper(), StoryClusterer(use_embeddings=use_embeddings)
    for a in articles:
        a = Article(**{**a.__dict__})  # a fresh copy per run
        a.duplicate_of = d.add(a).duplicate_of
        c.add(a)
    return d, c


CORPUS = [FLOOD_A, FLOOD_B, FOOTBALL, FLOOD_C, REBUILD]


@pytest.mark.parametrize("use_embeddings", [False, True])
def test_same_story_other_story_and_later_development(use_embeddings):
    d, c = run(CORPUS, use_embeddings)
    s = {a.id: c.story_of(a.id) for a in CORPUS}
    # Three independent reports of the flood: one story, and none is a copy of another.
    assert s["flood-a"] == s["flood-b"] == s["flood-c"] == "s-flood-a"
    assert d.groups() == []
    # The football match is another story, in another storyline.
    assert s["football"] not in (s["flood-a"], s["rebuild"])
    stories = {st.id: st for st in c.stories()}
    # Five weeks later: a new story of the same storyline.
    assert s["rebuild"] == "s-rebuild"
    assert stories["s-rebuild"].storyline == stories["s-flood-a"].storyline == "l-flood-a"
    assert stories[s["football"]].storyline != "l-flood-a"
    (line,) = [l for l in c.storylines() if l.id == "l-flood-a"]
    assert line.stories == ["s-flood-a", "s-rebuild"]


def test_story_fields():
    _, c = run(CORPUS, use_embeddings=False)
    st = next(s for s in c.stories() if s.id == "s-flood-a")
    assert st.articles == ["flood-a", "flood-b", "flood-c"]
    assert st.outlets == ["الخرطوم اليوم", "صوت الشرق", "النيلين"]
    assert st.first_seen.startswith("2024-08-05") and st.last_seen.startswith("2024-08-06")
    assert st.title in (FLOOD_A.title, FLOOD_B.title, FLOOD_C.title)
    assert "كسل" in st.keywords[0] or any("كسل" in k for k in st.keywords[:4])


def test_syndicated_copy_joins_its_original_story():
    copy = syndicated_copy_of(FLOOD_B, "flood-copy")
    d, c = run([FLOOD_A, FLOOD_B, FOOTBALL, copy], use_embeddings=False)
    assert d.duplicate_of("flood-copy") == "flood-b"
    assert c.story_of("flood-copy") == c.story_of("flood-b") == "s-flood-a"


def test_a_copy_run_weeks_later_is_not_forced_into_its_original_story():
    late = syndicated_copy_of(FLOOD_B, "flood-repost")
    late.published = "2024-09-30T08:00"  # eight weeks on
    d, c = run([FLOOD_A, FLOOD_B, late], use_embeddings=False)
    assert d.duplicate_of("flood-repost") == "flood-b"
    assert c.story_of("flood-repost") != "s-flood-a"
    st = next(s for s in c.stories() if s.id == "s-flood-a")
    assert st.last_seen.startswith("2024-08-05")


def test_ids_are_stable_across_runs():
    _, c1 = run(CORPUS, use_embeddings=False)
    _, c2 = run(CORPUS, use_embeddings=False)
    assert [(s.id, s.storyline, s.articles) for s in c1.stories()] == \
           [(s.id, s.storyline, s.articles) for s in c2.stories()]


def test_incremental_add_after_state_round_trip_matches_one_run():
    _, whole = run(CORPUS, use_embeddings=False)
    _, first = run(CORPUS[:3], use_embeddings=False)
    resumed = StoryClusterer.from_state(first.state())
    for a in CORPUS[3:]:
        resumed.add(Article(**{**a.__dict__}))
    # Re-adding an article already placed changes nothing.
    assert resumed.add(Article(**{**FLOOD_A.__dict__})) == "s-flood-a"
    assert [(s.id, s.storyline, s.articles) for s in resumed.stories()] == \
           [(s.id, s.storyline, s.articles) for s in whole.stories()]


def test_out_of_order_arrival_still_groups_the_story():
    _, c = run([FLOOD_C, FOOTBALL, FLOOD_B, FLOOD_A], use_embeddings=False)
    assert c.story_of("flood-a") == c.story_of("flood-b") == c.story_of("flood-c") == "s-flood-c"
    assert c.story_of("football") != "s-flood-c"


def test_same_story_score_orders_pairs():
    text = lambda a: a.title + "\n" + a.text  # noqa: E731
    same = same_story_score(text(FLOOD_A), text(FLOOD_C), use_embeddings=False)
    other = same_story_score(text(FLOOD_A), text(FOOTBALL), use_embeddings=False)
    # (the toll of the next day pays the next-day weight: measured .79)
    assert 0.0 <= other < 0.1 and 0.7 < same <= 1.0
    # Symmetric enough that the order of the two texts does not flip the decision.
    assert same_story_score(text(FLOOD_C), text(FLOOD_A), use_embeddings=False) > 0.5


def test_bad_state_is_a_clear_error():
    from marsad.errors import MarsadError

    with pytest.raises(MarsadError):
        StoryClusterer.from_state(b"\x80garbage")


def _bcubed_f1(pred: dict[str, str], truth: dict[str, str]) -> float:
    prec = sum(sum(1 for j in pred if pred[j] == pred[i] and truth[j] == truth[i]) /
               sum(1 for j in pred if pred[j] == pred[i]) for i in pred) / len(pred)
    rec = sum(sum(1 for j in pred if pred[j] == pred[i] and truth[j] == truth[i]) /
              sum(1 for j in truth if truth[j] == truth[i]) for i in pred) / len(pred)
    return 2 * prec * rec / (prec + rec)


def _bcubed_precision(pred: dict[str, str], truth: dict[str, str]) -> float:
    return sum(sum(1 for j in pred if pred[j] == pred[i] and truth[j] == truth[i]) /
               sum(1 for j in pred if pred[j] == pred[i]) for i in pred) / len(pred)


def _gold_corpus(gold):
    """The example corpus's articles in the order they are read, their gold entries by
    (origin, part), and the function giving an article's key."""
    from conftest import CORPUS
    from marsad.ingest import extract_articles, read_inputs

    g = {(x["origin"], x["part"]): x for x in gold["articles"]}
    arts = [a for raw in read_inputs([str(CORPUS)]) if not isinstance(raw, Exception)
            for a in extract_articles(raw)]

    def key(a):
        o = a.origin if "#" in a.origin else str(__import__("pathlib").Path(a.origin).resolve()
                                                   .relative_to(CORPUS.resolve()).as_posix())
        return (o[o.find("feeds/"):] if "#" in o else o), a.part

    return [a for a in arts if key(a) in g], g, key


def test_example_corpus_in_reverse_order_keeps_stories_apart(gold):
    """Newest first, stories stay as pure as in time order. The example corpus's gold groups
    weeks of coverage into one story (talks announced, then held two weeks later); marsad now
    follows the real-news rule (benchmarks/gold/README.md: a development of another day is a
    new story of the storyline), so against that gold only precision is meaningful here.
    Measured: precision 1.000 with embeddings (recall .444)."""
    arts, g, key = _gold_corpus(gold)
    arts.sort(key=lambda a: a.published or "~", reverse=True)
    d, c = Deduper(), StoryClusterer(use_embeddings=True)
    for a in arts:
        a.duplicate_of = d.add(a).duplicate_of
        c.add(a)
    stories = c.stories()
    pred = {x: s.id for s in stories for x in s.articles}
    truth = {a.id: g[key(a)]["story"] for a in arts}
    assert _bcubed_precision(pred, truth) > 0.95
    # The strike and the talks of the same weeks (one storyline) stay apart.
    by_gold: dict[str, set[str]] = {}
    for i, t in truth.items():
        by_gold.setdefault(t, set()).add(pred[i])
    assert not by_gold["s1-ain-alsafa-market-strike"] & by_gold["s2-muscat-talks"]


def test_example_corpus_copies_and_stories_against_gold(gold):
    """The example corpus end to end (ingest -> dedup -> stories) against examples/gold.json:
    every syndicated copy found, no false copy, stories close to the gold ones."""
    arts, g, key = _gold_corpus(gold)
    assert len(arts) == len(g)
    arts.sort(key=lambda a: a.published or "~")
    d, c = Deduper(), StoryClusterer(use_embeddings=False)
    for a in arts:
        a.duplicate_of = d.add(a).duplicate_of
        c.add(a)
    ids = {key(a): a.id for a in arts}
    for a in arts:
        want = g[key(a)]["duplicate_of"]
        assert d.duplicate_of(a.id) == (ids[(want["origin"], want["part"])] if want else None), key(a)

    pred = {x: s.id for s in c.stories() for x in s.articles}
    truth = {a.id: g[key(a)]["story"] for a in arts}
    # No story mixes two of the corpus's gold stories (B-cubed precision, measured 1.000;
    # that gold keeps weeks of one development in one story, marsad now splits them by day,
    # see test_example_corpus_in_reverse_order_keeps_stories_apart).
    assert _bcubed_precision(pred, truth) > 0.95
    # The vote and its results: separate stories; the results' stories, day after day, one
    # storyline. (The vote and the results shared one storyline while a story could span
    # weeks; with day-level stories a new story needs its storyline's terms as a whole at
    # cosine .15, line_min_cos, and the vote's storyline is no longer that close.)
    vote = {pred[a.id] for a in arts if truth[a.id] == "s4-numidia-vote" and a.published}
    results = {pred[a.id] for a in arts if truth[a.id] == "s5-numidia-results-protests"}
    assert results and not results & vote
    lines = {s.id: s.storyline for s in c.stories()}
    assert len({lines[x] for x in results}) == 1


def test_add_many_with_encoder_thread_matches_add():
    from marsad.stories import StoryConfig

    _, one_by_one = run(CORPUS, use_embeddings=True)
    # several batches: the encoder thread runs
    d, batched = Deduper(), StoryClusterer(use_embeddings=True, config=StoryConfig(encode_chunk=2))

    def dedup(a):
        a.duplicate_of = d.add(a).duplicate_of

    ids = batched.add_many([Article(**{**a.__dict__}) for a in CORPUS], prepare=dedup)
    assert ids == [one_by_one.story_of(a.id) for a in CORPUS]
    assert [(s.id, s.articles) for s in batched.stories()] == [(s.id, s.articles) for s in one_by_one.stories()]


def test_keywords_are_words_from_the_headlines_not_bare_stems():
    from pathlib import Path

    from marsad.pipeline import analyze

    corpus = Path(__file__).resolve().parent.parent / "examples" / "corpus"
    analysis, _ = analyze([str(corpus)], use_embeddings=False, with_facts=False)
    titles = {a.id: a.title for a in analysis.articles}
    for story in analysis.stories:
        headlines = " ".join(titles[a] for a in story.articles)
        assert story.keywords, story.title
        for word in story.keywords:
            assert word in headlines, (word, story.title)
    strike = next(s for s in analysis.stories if "عين الصفا" in s.title)
    assert "الصفا" in strike.keywords and "صفا" not in strike.keywords


# An election, reported in two phases: the vote (turnout, queues), then the outcome (the
# winner, the loser's appeal). Same names, same places, consecutive days.
VOTE_A = Article(
    id="vote-a", origin="v1.txt", outlet="أخبار الساحل", published="2025-06-08T18:00",
    title="نسبة المشاركة في الانتخابات التشريعية في جزر القمر تبلغ 38 بالمئة",
    text=(
        "أعلنت اللجنة الوطنية المستقلة للانتخابات في جزر القمر أن نسبة المشاركة في الانتخابات "
        "التشريعية بلغت 38 بالمئة عند الساعة الرابعة عصر الأحد، قبل ساعتين من إغلاق مكاتب الاقتراع.\n"
        "وتنافس في الاقتراع مرشحو حزب الاتحاد من أجل تنمية جزر القمر الحاكم وتحالف المعارضة "
        "بقيادة عبد الله محمد سالم على 33 مقعدا في البرلمان.\n"
        "وشهدت مكاتب التصويت في موروني طوابير طويلة صباحا، فيما سجل المراقبون إقبالا ضعيفا في جزيرة أنجوان."
    ),
)
VOTE_B = Article(
    id="vote-b", origin="v2.txt", outlet="القمر اليوم", published="2025-06-08T21:30",
    title="الناخبون في جزر القمر يدلون بأصواتهم لاختيار برلمان جديد",
    text=(
        "توجه الناخبون في جزر القمر الأحد إلى مكاتب الاقتراع لاختيار أعضاء البرلمان الثلاثة "
        "والثلاثين، في تصويت يعد اختبارا لشعبية حزب الاتحاد من أجل تنمية جزر القمر الحاكم.\n"
        "وقال زعيم المعارضة عبد الله محمد سالم بعد الإدلاء بصوته في موروني إن المشاركة "
        "الضعيفة تعكس يأس المواطنين، فيما دعت اللجنة الوطنية للانتخابات الناخبين إلى التصويت بكثافة.\n"
        "وأغلقت مكاتب التصويت أبوابها عند السادسة مساء، وبدأ فرز الأصوات بحضور مراقبين."
    ),
)
RESULT_A = Article(
    id="result-a", origin="r1.txt", outlet="أخبار الساحل", published="2025-06-10T20:00",
    title="الحزب الحاكم في جزر القمر يفوز بأغلبية مقاعد البرلمان",
    text=(
        "أعلنت اللجنة الوطنية المستقلة للانتخابات في جزر القمر الثلاثاء فوز حزب الاتحاد من أجل "
        "تنمية جزر القمر الحاكم بـ 24 مقعدا من أصل 33 في الانتخابات التشريعية التي جرت الأحد.\n"
        "وحصل تحالف المعارضة بقيادة عبد الله محمد سالم على سبعة مقاعد، بحسب النتائج المؤقتة.\n"
        "وبلغت نسبة المشاركة النهائية 41 بالمئة، وفق اللجنة التي قالت إن الاقتراع جرى في هدوء في موروني وأنجوان."
    ),
)
RESULT_B = Article(
    id="result-b", origin="r2.txt", outlet="القمر اليوم", published="2025-06-11T09:00",
    title="المعارضة في جزر القمر ترفض نتائج التشريعيات وتعلن الطعن أمام المحكمة العليا",
    text=(
        "رفض تحالف المعارضة في جزر القمر بقيادة عبد الله محمد سالم النتائج المؤقتة للانتخابات "
        "التشريعية التي منحت حزب الاتحاد من أجل تنمية جزر القمر الحاكم أغلبية مقاعد البرلمان.\n"
        "وقال سالم في مؤتمر صحفي في موروني إن التحالف سيطعن أمام المحكمة العليا في نتائج 40 مكتب "
        "تصويت، متهما اللجنة الوطنية للانتخابات بالتلاعب بمحاضر الفرز.\n"
        "ولم تعلق اللجنة على الاتهامات، فيما دعا مراقبون إلى التهدئة."
    ),
)


@pytest.mark.parametrize("use_embeddings", [False, True])
@pytest.mark.parametrize("order", ["time", "newest first"])
def test_an_election_vote_and_its_outcome_are_two_stories_of_one_storyline(use_embeddings, order):
    arts = [VOTE_A, VOTE_B, RESULT_A, RESULT_B]
    if order != "time":
        arts = arts[::-1]
    _, c = run(arts, use_embeddings)
    s = {a.id: c.story_of(a.id) for a in arts}
    shown = {x: st.id for st in c.stories() for x in st.articles}
    assert shown["vote-a"] == shown["vote-b"]
    assert shown["result-a"] == shown["result-b"]
    assert shown["vote-a"] != shown["result-a"]
    lines = {st.id: st.storyline for st in c.stories()}
    assert lines[shown["vote-a"]] == lines[shown["result-a"]]
    # The winner's report is marked as the other phase of the vote story.
    f = c._features(c._doc(RESULT_A, learn=False), c._stories[s["vote-a"]], embed=False, phases=True)
    assert f["phase"] == 1.0


def test_election_phases_clash_only_between_event_days_two_or_more_apart():
    from marsad.stories import DEFAULT_CONFIG, story_logit

    penalty = DEFAULT_CONFIG.phase_penalty

    f = {"tfidf": 0.6, "link": 0.6, "title": 0.5, "names": 0.5, "place": 0.0, "where": 0.0,
         "emb": None, "emb_link": None, "phase": 1.0, "age": 0.3}
    # the result reported the day of the vote or the day after: the headline phases do not
    # decide (the vote's words run through the outcome's coverage)
    same, next_day = story_logit(dict(f, day=0)), story_logit(dict(f, day=1))
    assert same == story_logit(dict(f, day=0, phase=0.0))
    assert next_day == story_logit(dict(f, day=1, phase=0.0))
    # two days apart, or no day known: the phases keep the stories apart
    assert story_logit(dict(f, day=2)) == story_logit(dict(f, day=2, phase=0.0)) - penalty
    assert story_logit(dict(f, day=None)) == story_logit(dict(f, day=None, phase=0.0)) - penalty


def test_storylines_about_different_things_are_not_merged_on_one_story_match():
    """Relinking merges two storylines only when they are close as wholes: merging on any
    grown story's match chained unrelated topics into one storyline."""
    _, c = run(CORPUS, use_embeddings=False)
    flood = c._stories["s-flood-a"]
    line = c._line(flood.storyline)
    assert len(c._storylines[line]) == 2  # the flood and the rebuilding conference
    other = c._line(c._stories[c.story_of("football")].storyline)
    c._storyline_for = lambda doc, exclude=None: other  # a (wrong) match, forced
    c._relink(flood)
    assert c._line(flood.storyline) == line and c._line(other) == other


def test_example_corpus_storylines_in_the_order_the_files_are_read(gold):
    """The pipeline places articles in the order it reads them (feeds, then HTML, then text
    files), not in time order: storylines cut by that order are merged back when their
    stories grow. Measured: storylines B-cubed .926 (precision 1.000, recall .862; 1.000 before
    stories were split by day, which leaves smaller stories to relink; 1.000 in time order)."""
    arts, g, key = _gold_corpus(gold)
    _, c = run(arts, use_embeddings=False)
    stories = c.stories()
    line = {s.id: s.storyline for s in stories}
    pred = {x: line[s.id] for s in stories for x in s.articles}
    truth = {a.id: g[key(a)]["storyline"] for a in arts}
    assert _bcubed_f1(pred, truth) > 0.9


# --- event-aware decisions (real-news labelling rule: one event, its day, its place) -------

# Two parliamentary elections on the same Sunday, in two countries: alike in every word but
# the place and the names.
LEB_VOTE_A = Article(
    id="leb-a", origin="l1.txt", outlet="بيروت اليوم", published="2026-05-10T17:00",
    title="اللبنانيون يدلون بأصواتهم في أول انتخابات نيابية منذ أربع سنوات",
    text=(
        "توجه الناخبون في لبنان الأحد إلى مراكز الاقتراع لانتخاب 128 نائبا في البرلمان، في أول "
        "انتخابات نيابية تشهدها البلاد منذ أربع سنوات، وسط إجراءات أمنية مشددة في بيروت وطرابلس.\n"
        "وقالت وزارة الداخلية اللبنانية إن نسبة المشاركة بلغت 31 بالمئة حتى الساعة الثالثة عصرا، "
        "فيما سجلت طوابير أمام مراكز الاقتراع في الجنوب والبقاع.\n"
        "ويتنافس في الانتخابات أكثر من ألف مرشح على 15 دائرة انتخابية."
    ),
)
LEB_VOTE_B = Article(
    id="leb-b", origin="l2.txt", outlet="صوت الأرز", published="2026-05-10T20:30",
    title="إغلاق صناديق الاقتراع في الانتخابات النيابية اللبنانية وبدء الفرز",
    text=(
        "أغلقت مراكز الاقتراع في لبنان أبوابها مساء الأحد بعد يوم انتخابي طويل لاختيار أعضاء "
        "البرلمان الـ128، وبدأت لجان القيد فرز الأصوات في بيروت والمحافظات.\n"
        "وأعلن وزير الداخلية اللبناني أن نسبة المشاركة النهائية بلغت 41 بالمئة، مشيرا إلى أن "
        "العملية الانتخابية جرت في أجواء هادئة رغم إشكالات محدودة في طرابلس.\n"
        "ويتوقع أن تصدر النتائج الرسمية الأولية مساء الاثنين."
    ),
)
PAR_VOTE = Article(
    id="par", origin="p1.txt", outlet="بيروت اليوم", published="2026-05-10T21:00",
    title="الناخبون في الباراغواي يدلون بأصواتهم في انتخابات عامة",
    text=(
        "توجه الناخبون في الباراغواي الأحد إلى مراكز الاقتراع لانتخاب رئيس جديد للبلاد وأعضاء "
        "البرلمان، وسط إجراءات أمنية مشددة في العاصمة أسونسيون.\n"
        "وقالت هيئة الانتخابات إن نسبة المشاركة بلغت 38 بالمئة حتى منتصف النهار، فيما سجلت "
        "طوابير أمام مراكز الاقتراع في المدن الكبرى.\n"
        "ويتنافس على الرئاسة مرشح الحزب الحاكم ومرشح تحالف المعارضة."
    ),
)


@pytest.mark.parametrize("use_embeddings", [False, True])
def test_two_elections_on_one_day_in_two_countries_are_two_stories(use_embeddings):
    arts = [LEB_VOTE_A, PAR_VOTE, LEB_VOTE_B]
    _, c = run(arts, use_embeddings)
    shown = {x: st.id for st in c.stories() for x in st.articles}
    assert shown["leb-a"] == shown["leb-b"]
    assert shown["par"] != shown["leb-a"]


# An expulsion, the other side's answer the same evening (one story), and its retaliation
# two days later (a new story of the same storyline).
EXPEL = Article(
    id="expel", origin="x1.txt", outlet="الخبر الدولي", published="2026-02-03T11:00",
    title="النرويج تطرد خمسة دبلوماسيين بيلاروسيين بتهمة التجسس",
    text=(
        "أعلنت وزارة الخارجية النرويجية الثلاثاء طرد خمسة دبلوماسيين من سفارة بيلاروسيا في أوسلو "
        "بعد اتهامهم بالتجسس على منشآت عسكرية، ومنحتهم 72 ساعة لمغادرة البلاد.\n"
        "وقالت الوزيرة في مؤتمر صحفي إن الدبلوماسيين قاموا بأنشطة لا تتوافق مع وضعهم الدبلوماسي، "
        "وإن أجهزة الأمن رصدت اتصالاتهم بموظفين في قاعدة بحرية شمال البلاد.\n"
        "وهذه أكبر عملية طرد لدبلوماسيين بيلاروسيين من النرويج."
    ),
)
ANSWER = Article(
    id="answer", origin="x2.txt", outlet="أنباء الشمال", published="2026-02-03T19:00",
    title="مينسك تندد بطرد دبلوماسييها من أوسلو وتتوعد بالرد",
    text=(
        "نددت وزارة الخارجية البيلاروسية مساء الثلاثاء بقرار النرويج طرد خمسة من دبلوماسييها "
        "بتهمة التجسس، ووصفته بأنه خطوة عدائية لا أساس لها.\n"
        "وقال المتحدث باسم الوزارة إن مينسك سترد بالمثل على طرد الدبلوماسيين من أوسلو، وإن "
        "اتهامات التجسس ملفقة.\n"
        "واستدعت الخارجية البيلاروسية السفير النرويجي لديها للاحتجاج."
    ),
)
RETALIATE = Article(
    id="retaliate", origin="x3.txt", outlet="الخبر الدولي", published="2026-02-05T12:00",
    title="بيلاروسيا ترد بالمثل وتأمر دبلوماسيين نرويجيين بالمغادرة",
    text=(
        "أمرت السلطات البيلاروسية الخميس خمسة موظفين في السفارة النرويجية في مينسك بمغادرة "
        "أراضيها خلال ثلاثة أيام، في خطوة قالت إنها رد متكافئ على إجراء اتخذته أوسلو مطلع الأسبوع.\n"
        "وسلمت الخارجية البيلاروسية القائم بالأعمال النرويجي مذكرة احتجاج، فيما أعربت أوسلو عن "
        "أسفها ووصفت القرار بأنه غير مبرر.\n"
        "وتشهد العلاقات بين البلدين توترا متصاعدا منذ أشهر."
    ),
)


@pytest.mark.parametrize("use_embeddings", [False, True])
def test_a_same_day_reaction_joins_its_event_and_a_later_retaliation_is_a_new_story(use_embeddings):
    arts = [EXPEL, ANSWER, RETALIATE]
    _, c = run(arts, use_embeddings)
    stories = c.stories()
    shown = {x: st.id for st in stories for x in st.articles}
    line = {st.id: st.storyline for st in stories}
    assert shown["answer"] == shown["expel"]
    assert shown["retaliate"] != shown["expel"]
    assert line[shown["retaliate"]] == line[shown["expel"]]


def test_the_event_day_is_read_from_the_lead():
    from datetime import date

    from marsad.stories import DEFAULT_CONFIG
    from marsad.story_signals import event_day

    wed = "2026-02-04T09:00:00+00:00"  # a Wednesday
    cfg = DEFAULT_CONFIG
    day = lambda t, b, p: event_day(t, b, p, lead_chars=cfg.day_lead_chars,  # noqa: E731
                                    back_days=cfg.event_back_days, body_chars=cfg.day_body_chars)
    # «أمس (الثلاثاء)» published on Wednesday: Tuesday 3 February
    assert day("عنوان", "نفت الوزارة، أمس (الثلاثاء)، الاتهامات", wed) == (date(2026, 2, 3).toordinal(), 1)
    # «الاثنين الماضي»: the Monday before (two days)
    assert day("عنوان", "قال الوزير يوم الاثنين الماضي إن", wed)[0] == date(2026, 2, 2).toordinal()
    # a day further back is background (the day of a killing, reported five days on): the
    # publication day is the day of the news
    assert day("عنوان", "قتلت المتطوعة يوم الجمعة الماضي في المعارك", wed)[0] == date(2026, 2, 4).toordinal()
    assert day("عنوان", "منذ تسميم العميل في 20 يناير تتصاعد الأزمة", wed)[0] == date(2026, 2, 4).toordinal()
    # a date written in the lead («2 فبراير»), read in the publication year
    assert day("عنوان", "وقعت الحادثة في 2 فبراير قرب الحدود", wed)[0] == date(2026, 2, 2).toordinal()
    # an announced day to come is not the day of the news: the publication day stands
    assert day("عنوان", "يجتمع المجلس الخميس المقبل", wed)[0] == date(2026, 2, 4).toordinal()
    # undated: the weekday alone, from the lead, else from «أمس الجمعة» in the body (Saturday)
    assert day("عنوان", "أعلن المتحدث اليوم الخميس أن", None) == (None, 3)
    assert day("عنوان", "قال المتحدث إن المحادثات ستستمر.\n" + "و" * 400 + "\nالتي جرت أمس الجمعة", None) == (None, 5)
    assert day("عنوان", "نص بلا يوم", None) == (None, None)


# Two statements of one spokesman, undated (as scraped text often is): the same Thursday and
# about the same thing they are one story; another Tuesday, about another matter, another.
UNDATED_THU_A = Article(
    id="thu-a", origin="u1.txt",
    title="الرئاسة الفنلندية: لا اتفاق بعد مع إستونيا على ترسيم الحدود البحرية",
    text=(
        "أعلن المتحدث باسم الرئاسة الفنلندية اليوم الخميس أن هلسنكي وتالين لم تتوصلا بعد إلى "
        "اتفاق على ترسيم الحدود البحرية في خليج فنلندا، رغم جولات التفاوض المتتالية.\n"
        "وقال المتحدث إن الخلاف ما زال قائما حول الجزر الصغيرة ومناطق الصيد، وإن فنلندا متمسكة "
        "بالحل التفاوضي للنزاع الحدودي مع إستونيا.\n"
        "وكانت الجولة الأخيرة من المفاوضات قد عقدت في تالين الشهر الماضي."
    ),
)
UNDATED_THU_B = Article(
    id="thu-b", origin="u2.txt",
    title="هلسنكي متمسكة بالتفاوض مع تالين حول الحدود البحرية",
    text=(
        "قال المتحدث باسم الرئاسة الفنلندية، اليوم الخميس، إنه لم يتم التوصل إلى اتفاق مع إستونيا "
        "بشأن ترسيم الحدود البحرية، مؤكدا أن فنلندا متمسكة بالتفاوض.\n"
        "وأضاف أن النقاط العالقة تشمل مناطق الصيد وعددا من الجزر الصغيرة في خليج فنلندا.\n"
        "وتتفاوض الدولتان على ترسيم حدودهما البحرية منذ ثلاث سنوات."
    ),
)
UNDATED_TUE = Article(
    id="tue", origin="u3.txt",
    title="هلسنكي تنفي طلب تأجيل المحادثات مع تالين",
    text=(
        "نفت الرئاسة الفنلندية، أمس (الثلاثاء)، ما نشرته صحيفة محلية عن طلب حكومي بإرجاء "
        "الجولة المقبلة من المحادثات مع إستونيا إلى العام القادم، ووصفت الخبر بأنه عار من الصحة.\n"
        "وكانت الصحيفة قد نقلت عن مسؤولين لم تسمهم أن وزارة الخارجية أوصت بالتريث إلى ما بعد "
        "الانتخابات البلدية.\n"
        "ولم يصدر تعليق من الجانب الإستوني."
    ),
)


@pytest.mark.parametrize("use_embeddings", [False, True])
def test_undated_statements_of_different_days_are_different_stories(use_embeddings):
    arts = [UNDATED_THU_A, UNDATED_TUE, UNDATED_THU_B]
    _, c = run(arts, use_embeddings)
    stories = c.stories()
    shown = {x: st.id for st in stories for x in st.articles}
    assert shown["thu-a"] == shown["thu-b"]
    assert shown["tue"] != shown["thu-a"]
    assert len({st.storyline for st in stories}) == 1
    # no date is claimed that no article has
    assert all(st.first_seen is None and st.last_seen is None for st in stories)


def test_a_story_dates_come_only_from_its_dated_articles():
    dated = Article(**{**UNDATED_THU_B.__dict__, "id": "thu-dated", "published": "2026-03-05T10:00"})
    _, c = run([UNDATED_THU_A, dated], use_embeddings=False)
    (st,) = [s for s in c.stories() if "thu-dated" in s.articles]
    assert st.first_seen == st.last_seen == "2026-03-05T10:00"


def _seed_articles():
    from pathlib import Path

    from marsad.ingest import extract_articles, read_inputs

    seeds = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
    if not seeds.exists():
        pytest.skip("../shared/seeds not present")
    arts = [a for raw in read_inputs([str(seeds)]) if not isinstance(raw, Exception)
            for a in extract_articles(raw)]
    return {(Path(a.origin).name[:3], a.part): a for a in arts}


@pytest.mark.parametrize("order", ["file", "time"])
def test_seeds_are_five_stories_of_one_storyline(order):
    """The seeds report five events of one storyline over two years: only 000 and 003 are
    the same event (no agreement on halting air strikes, told the same Thursday). With the
    default settings (embeddings on), in the order files are read and in time order."""
    arts = _seed_articles()
    assert len(arts) == 6
    order_ = list(arts.values()) if order == "file" else sorted(arts.values(), key=lambda a: a.published or "~")
    d, c = run(order_, use_embeddings=True)
    stories = c.stories()
    shown = {x: st.id for st in stories for x in st.articles}
    assert len(stories) == 5
    assert len({st.storyline for st in stories}) == 1
    assert shown[arts[("000", 0)].id] == shown[arts[("003", 0)].id]
    # Only 001 is dated: its story carries its date, the others none.
    for st in stories:
        dated = [arts[k].published for k in arts if arts[k].id in st.articles and arts[k].published]
        assert (st.first_seen is None) == (not dated)


def test_seeds_without_embeddings_keep_the_days_apart():
    """Without embeddings the text alone cannot tell 002 part 0 (a possible summit) from 004
    (a failed one, no day named) and they share a story; the day each text names still keeps
    the Thursday statements (000, 003), the Friday denial (001) and the Tuesday one (002 part 1)
    apart."""
    arts = _seed_articles()
    _, c = run(sorted(arts.values(), key=lambda a: a.published or "~"), use_embeddings=False)
    shown = {x: st.id for st in c.stories() for x in st.articles}
    thursday = shown[arts[("000", 0)].id]
    assert shown[arts[("003", 0)].id] == thursday
    assert len({thursday, shown[arts[("001", 0)].id], shown[arts[("002", 1)].id]}) == 3


# A topic that went quiet: the flood's storyline, then a follow-up weeks later.
def _rebuild_on(day: str) -> Article:
    return Article(**{**REBUILD.__dict__, "published": day + "T10:00"})


def _gap_run(articles: list[Article], gap_days: float | None) -> StoryClusterer:
    from dataclasses import replace

    from marsad.stories import StoryConfig

    c = StoryClusterer(use_embeddings=False, config=replace(StoryConfig(), line_gap_days=gap_days))
    d = Deduper()
    for a in articles:
        a = Article(**{**a.__dict__})
        a.duplicate_of = d.add(a).duplicate_of
        c.add(a)
    return c


@pytest.mark.parametrize("day, joins", [("2024-08-30", True), ("2024-09-10", False)])
def test_a_storyline_quiet_for_longer_than_its_gap_bound_is_not_joined(day, joins):
    """line_gap_days bounds the time since the storyline's nearest story, not its span: the
    reconstruction conference 24 days after the flood's last report joins its storyline under a
    30-day bound, 35 days after it opens a storyline of its own (without the bound it joins)."""
    arts = [FLOOD_A, FLOOD_B, FOOTBALL, FLOOD_C, _rebuild_on(day)]
    c = _gap_run(arts, 30.0)
    lines = {st.id: st.storyline for st in c.stories()}
    assert lines["s-rebuild"] == "l-flood-a" if joins else lines["s-rebuild"] == "l-rebuild"
    c = _gap_run(arts, None)
    assert {st.id: st.storyline for st in c.stories()}["s-rebuild"] == "l-flood-a"


def test_the_gap_bound_holds_after_a_state_round_trip():
    """The storyline's days are not saved: they are rebuilt from its stories on load, so a
    resumed run keeps the bound exactly as one run does."""
    from dataclasses import replace

    from marsad.stories import StoryConfig

    late = _rebuild_on("2024-09-10")
    whole = _gap_run([FLOOD_A, FLOOD_B, FOOTBALL, late], 30.0)
    first = _gap_run([FLOOD_A, FLOOD_B, FOOTBALL], 30.0)
    resumed = StoryClusterer.from_state(first.state(), config=replace(StoryConfig(), line_gap_days=30.0))
    resumed.add(Article(**{**late.__dict__}))
    assert [(s.id, s.storyline, s.articles) for s in resumed.stories()] == \
           [(s.id, s.storyline, s.articles) for s in whole.stories()]
    assert {st.id: st.storyline for st in resumed.stories()}["s-rebuild"] == "l-rebuild"


# The flood's storyline takes a second story (the civil defence director dismissed, no word of
# the flood's place or wording), then new floods upstream three weeks later.
DISMISSAL = Article(
    id="dismissal", origin="f.txt", outlet="صوت الشرق", published="2024-08-20T11:00",
    title="والي كسلا يقيل مدير الدفاع المدني بعد انتقادات لإدارة كارثة الفيضان",
    text=(
        "أصدر والي ولاية كسلا قرارا بإعفاء مدير الدفاع المدني بالولاية من منصبه، بعد انتقادات "
        "برلمانية وشعبية واسعة لبطء الاستجابة خلال كارثة الفيضان.\n"
        "وقال نواب في المجلس التشريعي إن لجنة تحقيق ستنظر في أسباب تأخر الإنذار وتقصير "
        "الأجهزة الحكومية، وستقدم تقريرها خلال شهر.\n"
        "وعين الوالي العقيد عثمان الطيب مديرا مكلفا إلى حين انتهاء التحقيق."
    ),
)
NEW_FLOODS = Article(
    id="new-floods", origin="g.txt", outlet="النيلين", published="2024-09-12T09:00",
    title="سيول جديدة تغمر قرى شرقي السودان وتشرد مئات الأسر",
    text=(
        "غمرت سيول جارفة ناتجة عن أمطار غزيرة قرى على ضفاف نهر القاش شرقي السودان فجر الخميس، "
        "ما أدى إلى انهيار عشرات المنازل المبنية من الطين وتشريد مئات الأسر.\n"
        "وقال شهود إن مياه نهر القاش ارتفعت مجددا وتجاوزت السدود الترابية، مشيرين إلى مقتل "
        "شخصين.\n"
        "ولجأت العائلات المتضررة إلى المساجد."
    ),
)


@pytest.mark.parametrize("recent, joins", [(None, True), (2, True), (1, False)])
def test_a_storyline_is_joined_through_its_recent_stories_only(recent, joins):
    """line_recent: a new story joins a storyline only through one of its most recent stories.
    The new floods match the first flood story (the storyline's older one) and not the
    dismissal: with only the latest story to go by they open a storyline of their own."""
    from dataclasses import replace

    from marsad.stories import StoryConfig

    c = StoryClusterer(use_embeddings=False, config=replace(StoryConfig(), line_recent=recent))
    d = Deduper()
    for a in [FLOOD_A, FLOOD_B, FOOTBALL, FLOOD_C, DISMISSAL, NEW_FLOODS]:
        a = Article(**{**a.__dict__})
        a.duplicate_of = d.add(a).duplicate_of
        c.add(a)
    lines = {st.id: st.storyline for st in c.stories()}
    assert lines["s-dismissal"] == "l-flood-a"
    assert (lines["s-new-floods"] == "l-flood-a") is joins
