"""Per-article features of deduplication and story placement computed ahead (in the workers):
the same features in a worker as here, and the same placement with and without them."""

from __future__ import annotations

import pickle

import pytest

from marsad.analysed import AnalysedDoc
from marsad.dedup import DedupConfig, Deduper
from marsad.dedup import article_features as dedup_features
from marsad.embeddings import encoder_available
from marsad.model import Article, RawDoc
from marsad.pipeline import ArticleFeatures, FeatureSpec, process_input, run_in_workers
from marsad.store.search import index_entry
from marsad.stories import StoryClusterer, StoryConfig
from marsad.stories import article_features as story_features

EMBED = encoder_available()

MARKET = ("قتل ثمانية أشخاص على الأقل وأصيب عشرون آخرون صباح اليوم الثلاثاء في انفجار سيارة مفخخة "
          "قرب سوق الخضار في مدينة عين الصفا، بحسب ما أفاد مسؤول في مديرية الصحة. وقال شهود إن "
          "الانفجار وقع في ساعة الذروة حين كان السوق مكتظا بالباعة والمتسوقين، وإن سيارات الإسعاف "
          "نقلت الجرحى إلى المستشفى العام. ولم تعلن أي جهة مسؤوليتها عن التفجير حتى الآن.")
TALKS = ("انطلقت في العاصمة العمانية مسقط اليوم الأحد جولة جديدة من المحادثات بين وفد الحكومة ووفد "
         "المعارضة برعاية الأمم المتحدة، وسط آمال بالتوصل إلى اتفاق على تبادل الأسرى. وقال المبعوث "
         "الأممي في مؤتمر صحفي إن الطرفين أبديا استعدادا للنقاش حول ملف المعتقلين وفتح الطرق بين "
         "المدن المحاصرة، مشيرا إلى أن الجولة قد تستمر ثلاثة أيام.")
FUEL = ("أعلنت وزارة الطاقة رفع أسعار الوقود بنسبة خمسة عشر بالمئة اعتبارا من مطلع الشهر المقبل، "
        "في خطوة قالت إنها ضرورية لخفض عجز الموازنة العامة. وانتقدت نقابات النقل القرار وهددت "
        "بالإضراب إذا لم تتراجع الحكومة عنه، فيما دعا نواب في البرلمان إلى جلسة طارئة لمساءلة الوزير "
        "حول انعكاسات الزيادة على أسعار السلع الأساسية.")


def _articles() -> list[Article]:
    def art(aid, title, text, day, outlet):
        return Article(id=aid, origin=f"test/{aid}", title=title, text=text,
                       published=f"2024-03-{day:02d}T09:00:00+00:00", outlet=outlet)

    return [
        art("m1", "قتلى وجرحى بانفجار سيارة مفخخة في سوق عين الصفا", MARKET, 12, "النهار"),
        art("m2", "ثمانية قتلى في تفجير سوق الخضار بعين الصفا", MARKET, 12, "الرافدين"),  # a copy
        art("m3", "ارتفاع حصيلة تفجير عين الصفا إلى أحد عشر قتيلا",
            "ارتفعت حصيلة ضحايا انفجار السيارة المفخخة في سوق الخضار بمدينة عين الصفا إلى أحد عشر "
            "قتيلا، بعد وفاة ثلاثة من الجرحى متأثرين بإصاباتهم في المستشفى العام، بحسب مديرية الصحة "
            "التي قالت إن تسعة من المصابين ما زالوا في حالة حرجة.", 13, "أطلس"),
        art("t1", "انطلاق جولة محادثات جديدة في مسقط برعاية أممية", TALKS, 10, "صوت الخليج"),
        art("t2", "مسقط تستضيف محادثات الحكومة والمعارضة حول الأسرى",
            TALKS.replace("وسط آمال", "في ظل آمال") + " وأكد مصدر في وفد الحكومة أن الأجواء إيجابية.",
            10, "الشرق"),
        art("t3", "فشل محادثات مسقط بعد ثلاثة أيام من النقاش",
            "انتهت محادثات مسقط بين وفدي الحكومة والمعارضة دون التوصل إلى اتفاق على تبادل الأسرى، "
            "وحمل كل طرف الآخر مسؤولية الفشل. وقال المبعوث الأممي إنه سيواصل اتصالاته مع الطرفين "
            "لتحديد موعد جولة مقبلة.", 13, "أطلس"),
        art("f1", "رفع أسعار الوقود خمسة عشر بالمئة الشهر المقبل", FUEL, 15, "المغرب"),
        art("f2", "نقابات النقل تهدد بالإضراب احتجاجا على زيادة أسعار الوقود",
            "هددت نقابات النقل بإضراب عام احتجاجا على قرار وزارة الطاقة رفع أسعار الوقود، وقال رئيس "
            "اتحاد السائقين إن الزيادة ستنعكس على أجور النقل وأسعار السلع، داعيا الحكومة إلى التراجع "
            "عن القرار قبل نهاية الأسبوع.", 16, "النهار"),
        art("x1", "افتتاح معرض الكتاب الدولي بمشاركة مئتي دار نشر",
            "افتتح وزير الثقافة مساء أمس معرض الكتاب الدولي بمشاركة مئتي دار نشر من عشرين بلدا، "
            "ويتضمن برنامج المعرض ندوات فكرية وأمسيات شعرية وتوقيع إصدارات جديدة لكتاب شباب على مدى "
            "عشرة أيام.", 14, "الشرق"),
        art("x2", "المنتخب الوطني يفوز على ضيفه بهدفين نظيفين",
            "فاز المنتخب الوطني لكرة القدم على ضيفه بهدفين دون رد في المباراة الودية التي جرت مساء "
            "السبت على الملعب الأولمبي، وسجل الهدفين مهاجم الفريق في الشوط الثاني أمام أكثر من "
            "عشرين ألف متفرج.", 16, "صوت الخليج"),
    ]


def _place(articles, features=None, use_embeddings=EMBED):
    deduper, clusterer = Deduper(), StoryClusterer(use_embeddings=use_embeddings)
    out = []
    for i, a in enumerate(articles):
        dedup, stories = (None, None) if features is None else features[i]
        a.duplicate_of = deduper.add(a, dedup).duplicate_of
        out.append((a.duplicate_of, clusterer.add(a, stories)))
    return out, [(s.id, s.articles, s.storyline) for s in clusterer.stories()], \
        [(l.id, l.stories) for l in clusterer.storylines()]


def test_placement_is_the_same_with_and_without_features_computed_ahead():
    articles = _articles()
    feats = [(dedup_features(a, DedupConfig(), AnalysedDoc.of(a)),
              story_features(a, StoryConfig(), AnalysedDoc.of(a), embed=EMBED)) for a in articles]
    assert all(s.emb is not None for _, s in feats) == EMBED
    plain = _place(_articles())
    # given features are used as they are: nothing of the article is read again, nor encoded
    import marsad.dedup as dedup_mod
    import marsad.stories as stories_mod

    def never(*args, **kwargs):
        raise AssertionError("recomputed")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dedup_mod, "_features", never)
        mp.setattr(stories_mod, "_features", never)
        if EMBED:
            mp.setattr(stories_mod.SentenceEncoder, "encode", staticmethod(never))
        ahead = _place(_articles(), feats)
    assert ahead == plain
    placed, stories, _ = plain
    assert placed[1][0] == "m1"  # the copy is found
    by_article = {aid: sid for sid, members, _ in stories for aid in members}
    assert by_article["m1"] == by_article["m2"] and by_article["t1"] == by_article["t2"]
    assert by_article["m1"] != by_article["t1"] != by_article["f1"]


def test_features_computed_with_other_settings_are_recomputed():
    articles = _articles()
    other = [(dedup_features(a, DedupConfig(min_words=200, lead_words=10)),
              story_features(a, StoryConfig(body_words=20))) for a in articles]
    assert _place(_articles(), other, use_embeddings=False) == _place(_articles(), use_embeddings=False)


def test_features_are_small_and_survive_pickling():
    a = _articles()[0]
    f = ArticleFeatures(dedup_features(a), story_features(a, embed=EMBED))
    data = pickle.dumps(f)
    assert pickle.loads(data) == f
    assert len(data) < 8_000


def _raws() -> list[RawDoc]:
    return [RawDoc(origin=f"in/{a.id}.json", kind="record",
                   fields={"title": a.title, "text": a.text, "date": a.published, "source": a.outlet})
            for a in _articles()[:4]]


def _shape(result):
    return [(a.id, a.text, f, feats) for a, f, feats in result]


def test_features_from_a_worker_equal_those_computed_here():
    spec = FeatureSpec(DedupConfig(), StoryConfig(), embed=EMBED)
    raws = _raws()
    here = [process_input(r, False, None, spec) for r in raws]
    there = list(run_in_workers(raws, workers=1, with_facts=False, time_limit=None, features=spec))
    assert [_shape(r) for r in there] == [_shape(r) for r in here]
    for result in here:
        (article, facts, feats), = result
        assert feats.dedup == dedup_features(article) and feats.stories == story_features(article, embed=EMBED)
        # the search-index entry read from the analysed document is the one the store would make
        assert feats.index == index_entry(article, facts) and feats.index.body_terms
    # without a spec the items stay (article, facts) pairs
    assert all(len(item) == 2 for item in process_input(raws[0], False, None))


@pytest.mark.skipif(not EMBED, reason="the sentence encoder is not installed")
def test_an_input_of_several_articles_is_embedded_in_one_call(monkeypatch):
    import marsad.stories as stories_mod

    calls = []
    real = stories_mod.SentenceEncoder.encode

    def counting(texts):
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(stories_mod.SentenceEncoder, "encode", staticmethod(counting))
    got = stories_mod.article_features_many(_articles()[:3], embed=True)
    assert calls == [3] and all(f.emb is not None and f.emb.shape == got[0].emb.shape for f in got)
