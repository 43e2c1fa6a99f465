"""The saved dedup and story state (docs/STATE.md): versioned JSON, no pickles, exact round
trips, clear errors, and configuration objects that reach worker processes."""

from __future__ import annotations

import json
import pickle
import subprocess
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest

from marsad.dedup import DedupConfig, Deduper
from marsad.errors import MarsadError, StateVersionError
from marsad.model import Article, RawDoc
from marsad.state import config_from_dict, config_to_dict
from marsad.stories import LogitWeights, StoryClusterer, StoryConfig, same_story_score

# Three events, ten reports. An earthquake in the Moroccan Atlas (three outlets, one of which
# reposts the agency text under its own headline), Tunisia's municipal vote and its results
# (the two election phases), and a fire at a fuel depot in Basra; one undated opinion piece.
QUAKE_WIRE = (
    "ضرب زلزال بقوة 5.8 درجات على مقياس ريختر منطقة الحوز جنوب مراكش فجر الأربعاء، ما أدى إلى "
    "انهيار عشرات المنازل الطينية في القرى الجبلية ومقتل أربعة أشخاص على الأقل. وقال المعهد "
    "الوطني للجيوفيزياء إن مركز الهزة كان على عمق عشرة كيلومترات، وإن هزات ارتدادية عدة تلتها "
    "خلال الساعات الأولى. وأعلنت السلطات المحلية فتح مراكز إيواء مؤقتة في المدارس، فيما هرعت فرق "
    "الوقاية المدنية إلى الدواوير المعزولة لإجلاء الجرحى ونقلهم إلى مستشفى مراكش الجامعي."
)
ARTICLES = [
    Article(id="quake-wire", origin="wire.json", outlet="وكالة المغرب", published="2025-05-14T06:10",
            title="زلزال بقوة 5.8 درجات يضرب الحوز ويقتل أربعة أشخاص", text=QUAKE_WIRE),
    Article(id="tunis-vote", origin="tn1.json", outlet="الصباح", published="2025-05-14T09:00",
            title="إقبال ضعيف في الساعات الأولى من الاقتراع البلدي في تونس",
            text="فتحت مكاتب الاقتراع في تونس أبوابها صباح الأربعاء أمام الناخبين للتصويت في الانتخابات "
                 "البلدية، وسط إقبال وصفته هيئة الانتخابات بالضعيف في الساعات الأولى. وقال رئيس الهيئة إن "
                 "نسبة المشاركة بلغت 9 في المئة عند منتصف النهار، داعيا الشباب إلى التوجه إلى صناديق "
                 "الاقتراع قبل إغلاقها في السادسة مساء."),
    Article(id="quake-repost", origin="site.json", outlet="هسبريس", published="2025-05-14T08:45",
            title="قتلى وانهيار منازل في زلزال الحوز جنوب مراكش",
            text=QUAKE_WIRE + " وناشد منتخبون محليون الحكومة إرسال الخيام والأغطية إلى السكان الذين "
                              "قضوا الليل في العراء خوفا من هزات جديدة."),
    Article(id="basra-fire", origin="iq1.json", outlet="السومرية", published="2025-05-14T15:20",
            title="حريق كبير في مستودع للوقود بميناء أم قصر جنوب البصرة",
            text="اندلع حريق كبير بعد ظهر الأربعاء في مستودع لتخزين الوقود داخل ميناء أم قصر جنوب البصرة، "
                 "وتصاعدت أعمدة الدخان الأسود فوق المنطقة. وقالت مديرية الدفاع المدني إن ثماني فرق إطفاء "
                 "تعمل على إخماد النيران ومنع امتدادها إلى الخزانات المجاورة، ولم تسجل إصابات حتى الآن."),
    Article(id="quake-toll", origin="ma2.json", outlet="العمق", published="2025-05-14T18:30",
            title="ارتفاع حصيلة زلزال الحوز إلى سبعة قتلى وعشرات الجرحى",
            text="أعلنت وزارة الداخلية المغربية مساء الأربعاء ارتفاع حصيلة الزلزال الذي ضرب منطقة الحوز "
                 "إلى سبعة قتلى و48 جريحا، بعد انتشال ثلاث جثث من تحت أنقاض منازل طينية في دوار جبلي. "
                 "وأضافت الوزارة أن فرق الإنقاذ ما زالت تبحث عن مفقودين، وأن الطرق المؤدية إلى القرى "
                 "المتضررة أعيد فتحها بعد إزالة الصخور."),
    Article(id="basra-fire-out", origin="iq2.json", outlet="شفق نيوز", published="2025-05-14T22:05",
            title="إخماد حريق مستودع الوقود في ميناء أم قصر بعد سبع ساعات",
            text="تمكنت فرق الدفاع المدني في البصرة ليل الأربعاء من إخماد الحريق الذي اندلع في مستودع "
                 "للوقود بميناء أم قصر، بعد سبع ساعات من العمل المتواصل. وقال مدير الدفاع المدني في "
                 "المحافظة إن التحقيقات الأولية تشير إلى تماس كهربائي، وإن الخسائر اقتصرت على خزانين."),
    Article(id="tunis-results", origin="tn2.json", outlet="الشروق", published="2025-05-15T10:00",
            title="نتائج الانتخابات البلدية: القائمات المستقلة تفوز بأغلب المقاعد",
            text="أعلنت هيئة الانتخابات في تونس الخميس النتائج الأولية للانتخابات البلدية، وقالت إن "
                 "القائمات المستقلة فازت بأغلب المقاعد في المجالس البلدية، تلتها قائمات الأحزاب. وبلغت "
                 "نسبة المشاركة النهائية 22 في المئة، وهي الأدنى منذ أول انتخابات بلدية."),
    Article(id="quake-aid", origin="ma3.json", outlet="الأحداث", published="2025-05-15T09:40",
            title="قوافل مساعدات تصل إلى دواوير الحوز المتضررة من الزلزال",
            text="وصلت صباح الخميس أولى قوافل المساعدات إلى الدواوير الجبلية في منطقة الحوز التي ضربها "
                 "الزلزال، محملة بالخيام والأغطية والمواد الغذائية. وقال متطوعون إن الأسر المتضررة قضت "
                 "ليلتها الثانية في العراء خوفا من الهزات الارتدادية."),
    Article(id="tunis-appeal", origin="tn3.json", outlet="الصباح", published="2025-05-16T12:00",
            title="قائمات خاسرة تطعن في نتائج الانتخابات البلدية",
            text="قدمت ثلاث قائمات حزبية خاسرة الجمعة طعونا أمام المحكمة الإدارية في نتائج الانتخابات "
                 "البلدية في دوائر عدة، متهمة بعض القائمات المستقلة بتجاوز سقف الإنفاق الانتخابي. "
                 "وقالت هيئة الانتخابات إنها ستنشر النتائج النهائية بعد البت في الطعون."),
    Article(id="opinion", origin="op.json", outlet="رأي اليوم", published=None,
            title="عن المدن التي تنسى جبالها",
            text="كلما ضربت كارثة قرية جبلية اكتشفنا من جديد أن الطرق لا تصل وأن المدارس بعيدة، ثم "
                 "ننسى حتى الكارثة التالية. المطلوب ليس قوافل موسمية بل خطة دائمة للبنية التحتية."),
]


def fresh(a: Article) -> Article:
    return Article(**{**a.__dict__})


def place(d: Deduper, c: StoryClusterer, articles: list[Article]) -> dict[str, tuple]:
    out = {}
    for a in map(fresh, articles):
        r = d.add(a)
        a.duplicate_of = r.duplicate_of
        out[a.id] = (r.duplicate_of, r.group, c.add(a))
    return out


def shown(c: StoryClusterer) -> list:
    return [(s.id, s.storyline, s.title, s.articles, s.keywords, s.first_seen) for s in c.stories()] + \
        [(line.id, line.stories) for line in c.storylines()]


def canonical(data: bytes) -> dict:
    """The state document with the story index in a fixed order (its keys are added in set
    order: the same entries, possibly listed otherwise)."""
    doc = json.loads(data)
    if doc["kind"] == "stories":
        doc["state"]["index"].sort(key=lambda row: (row[0], row[1] is None, row[1] or 0))
    return doc


@pytest.mark.parametrize("use_embeddings", [False, True])
def test_both_states_round_trip_exactly_and_resume_as_one_run(use_embeddings):
    d, c = Deduper(), StoryClusterer(use_embeddings=use_embeddings)
    whole = place(d, c, ARTICLES)
    assert whole["quake-repost"][0] == "quake-wire"  # the near-copy the LSH index must find
    assert whole["quake-toll"][2] == whole["quake-wire"][2] != whole["basra-fire"][2]

    d1, c1 = Deduper(), StoryClusterer(use_embeddings=use_embeddings)
    first = place(d1, c1, ARTICLES[:2])  # the wire is saved; its repost comes after
    dedup_bytes, story_bytes = d1.state(), c1.state()
    d2, c2 = Deduper.from_state(dedup_bytes), StoryClusterer.from_state(story_bytes)
    # loading and saving again gives the same document
    assert d2.state() == dedup_bytes
    assert canonical(c2.state()) == canonical(story_bytes)
    rest = place(d2, c2, ARTICLES[2:])
    assert {**first, **rest} == whole
    assert shown(c2) == shown(c)
    assert [g.to_dict() for g in d2.groups()] == [g.to_dict() for g in d.groups()]
    # ... and the resumed state is the one the uninterrupted run ends with
    assert d2.state() == d.state()
    assert canonical(c2.state()) == canonical(c.state())


def test_state_bytes_are_json_not_pickles(monkeypatch):
    d, c = Deduper(), StoryClusterer(use_embeddings=True)
    place(d, c, ARTICLES)

    def refused(*args, **kwargs):
        raise AssertionError("pickle used on the state path")

    for name in ("dumps", "dump", "loads", "load", "Pickler", "Unpickler"):
        monkeypatch.setattr(pickle, name, refused)
    for data, kind in ((d.state(), "dedup"), (c.state(), "stories")):
        assert not data.startswith(b"\x80")  # no pickle protocol header
        doc = json.loads(data.decode("utf-8"))
        assert (doc["format"], doc["kind"], doc["version"]) == ("marsad-state", kind, 2)
        assert set(doc) == {"format", "kind", "version", "config", "state"}
    Deduper.from_state(d.state())
    StoryClusterer.from_state(c.state())
    monkeypatch.undo()
    # embeddings are stored as base64 of one little-endian float32 matrix, shingles as uint32
    doc = json.loads(c.state())
    matrix = doc["state"]["embeddings"]
    rows = [r for st in doc["state"]["stories"] for r in [st["emb_sum"]] + [e for _, e in st["recent"]]
            if r is not None]
    assert matrix["dtype"] == "<f4" and sorted(rows) == list(range(matrix["shape"][0])) and rows
    assert json.loads(d.state())["state"]["near"]["shingles"]["dtype"] == "<u4"


def _reversion(data: bytes, version) -> bytes:
    doc = json.loads(data)
    doc["version"] = version
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def test_another_version_is_a_clear_error_and_an_old_pickle_is_never_run(tmp_path):
    d, c = Deduper(), StoryClusterer(use_embeddings=False)
    place(d, c, ARTICLES[:4])
    for version in (1, 3, None):
        with pytest.raises(StateVersionError, match="state version"):
            Deduper.from_state(_reversion(d.state(), version))
        with pytest.raises(StateVersionError, match="state version"):
            StoryClusterer.from_state(_reversion(c.state(), version))
    assert issubclass(StateVersionError, MarsadError)

    marker = tmp_path / "ran"

    class Crafted:  # what a hostile value in a shared store could hold
        def __reduce__(self):
            return (subprocess.call, (["touch", str(marker)],))

    for payload in (pickle.dumps((1, {"x": Crafted()}), protocol=5), pickle.dumps((1, {}), protocol=4)):
        with pytest.raises(StateVersionError, match="pickle written by an older marsad"):
            Deduper.from_state(payload)
        with pytest.raises(StateVersionError):
            StoryClusterer.from_state(payload)
    assert not marker.exists()


def test_corrupt_bytes_are_a_clear_error():
    d, c = Deduper(), StoryClusterer(use_embeddings=True)
    place(d, c, ARTICLES[:5])
    good_d, good_c = d.state(), c.state()

    def edited(data: bytes, change) -> bytes:
        doc = json.loads(data)
        change(doc)
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")

    bad_dedup = [
        b"", b"not a state", b"\x80garbage", good_d[: len(good_d) // 2], b"[1, 2]", "{}".encode(),
        good_d.replace(b'"kind":"dedup"', b'"kind":"stories"'),
        edited(good_d, lambda doc: doc["state"].pop("near")),
        edited(good_d, lambda doc: doc["state"]["near"]["shingles"].update(b64="@@not base64@@")),
        edited(good_d, lambda doc: doc["state"]["near"]["signatures"].update(dtype="object")),
        edited(good_d, lambda doc: doc["state"]["near"]["shingle_counts"].update(shape=[99])),
        edited(good_d, lambda doc: doc["state"]["entries"].pop()),  # a grouped id without entry
        edited(good_d, lambda doc: doc["config"].update(unknown=1)),
        "\ud800".encode("utf-8", "surrogatepass"),
    ]
    for data in bad_dedup:
        with pytest.raises(MarsadError, match="deduplication state"):
            Deduper.from_state(data)
    bad_stories = [
        b"{", good_c[:-1], good_d,
        edited(good_c, lambda doc: doc["state"]["stories"][0].pop("centroid")),
        edited(good_c, lambda doc: doc["state"]["stories"][0]["recent"][0].__setitem__(1, 10**6)),
        edited(good_c, lambda doc: doc["state"]["stories"][0]["centroid"].__setitem__(1, "AAAA")),
        edited(good_c, lambda doc: doc["state"]["embeddings"].update(shape=[3, 7])),
        edited(good_c, lambda doc: doc["state"].__setitem__("story_of", {"x": 999})),
        edited(good_c, lambda doc: doc["state"].__setitem__("index", [["a", 1, "not a list"]])),
    ]
    for data in bad_stories:
        with pytest.raises(MarsadError, match="story clustering state"):
            StoryClusterer.from_state(data)


def test_a_state_keeps_its_config_a_different_one_is_refused_and_none_adopts_it():
    cfg = DedupConfig(containment=0.8, lead_words=30)
    scfg = StoryConfig(max_gap_days=3.0, relink_at=frozenset({2, 5}),
                       w_noemb=LogitWeights(bias=-3.0, tfidf=6.0, link=4.0, title=5.0, names=2.0))
    d, c = Deduper(config=cfg), StoryClusterer(use_embeddings=False, config=scfg)
    place(d, c, ARTICLES[:6])
    assert json.loads(d.state())["config"]["containment"] == 0.8
    # no configuration given: the stored one is used, whole
    assert Deduper.from_state(d.state()).config == cfg
    assert StoryClusterer.from_state(c.state()).config == scfg
    # the same one given: accepted
    assert StoryClusterer.from_state(c.state(), StoryConfig(max_gap_days=3.0, relink_at=frozenset({5, 2}),
                                                            w_noemb=scfg.w_noemb)).config == scfg
    # another one: refused, naming the setting and both values
    with pytest.raises(MarsadError, match=r"built with containment=0\.8, this run uses containment=0\.65"):
        Deduper.from_state(d.state(), DedupConfig())
    with pytest.raises(MarsadError, match=r"max_gap_days=3\.0, this run uses max_gap_days=7\.0.*same configuration"):
        StoryClusterer.from_state(c.state(), StoryConfig(relink_at=scfg.relink_at, w_noemb=scfg.w_noemb))
    with pytest.raises(MarsadError, match="w_noemb"):
        StoryClusterer.from_state(c.state(), StoryConfig(max_gap_days=3.0, relink_at=scfg.relink_at))
    # a setting that changes speed only (the encoder batch) does not block a resume
    assert StoryClusterer.from_state(c.state(), StoryConfig(**{**scfg.__dict__, "encode_chunk": 8}))
    # every field survives the trip through JSON
    assert config_from_dict(StoryConfig, json.loads(json.dumps(config_to_dict(scfg)))) == scfg
    # a state saved before a setting existed: the setting takes its default (the behaviour
    # before it), whether the configuration is adopted or given
    doc = json.loads(d.state())
    del doc["config"]["big_lead_share"]
    older = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    assert Deduper.from_state(older).config == cfg
    assert Deduper.from_state(older, cfg).config == cfg
    with pytest.raises(MarsadError, match="big_lead_share=0.3, this run uses big_lead_share=0.5"):
        Deduper.from_state(older, DedupConfig(containment=0.8, lead_words=30, big_lead_share=0.5))


def test_the_pipeline_refuses_another_config_adopts_the_stored_one_and_rebuilds_old_states(store_url):
    from marsad.pipeline import DEDUP_STATE, STORIES_STATE, Pipeline
    from marsad.store import open_store

    raws = [RawDoc(origin=f"{a.id}.json", kind="record",
                   fields={k: v for k, v in (("title", a.title), ("text", a.text), ("source", a.outlet),
                                             ("date", a.published)) if v})
            for a in ARTICLES]
    scfg = StoryConfig(max_gap_days=5.0)
    with open_store(store_url) as store:
        p = Pipeline(store, use_embeddings=False, with_facts=False, story_config=scfg)
        p.ingest(raws[:6])
        p.ingest(raws[6:])
        whole = [(s.id, s.articles) for s in p.finish().stories]
        seq, saved = store.load_state(STORIES_STATE)
        assert json.loads(saved)["config"]["max_gap_days"] == 5.0
    with open_store(store_url) as store:
        with pytest.raises(MarsadError, match="max_gap_days=5.0, this run uses max_gap_days=7.0"):
            Pipeline(store, use_embeddings=False, with_facts=False, story_config=StoryConfig())
        p = Pipeline(store, use_embeddings=False, with_facts=False)
        assert p.clusterer.config == scfg and p._seq == seq  # resumed from the checkpoint
        assert [(s.id, s.articles) for s in p.finish().stories] == whole
        # a store whose checkpoint an older marsad pickled: rebuilt from its articles, as one run
        store.save_states({DEDUP_STATE: pickle.dumps((1, {})), STORIES_STATE: pickle.dumps((1, {}))}, seq)
    with open_store(store_url) as store:
        p = Pipeline(store, use_embeddings=False, with_facts=False, story_config=scfg)
        assert [(s.id, s.articles) for s in p.finish().stories] == whole
        assert json.loads(store.load_state(DEDUP_STATE)[1])["version"] == 2  # saved anew


_TEXT_A = ARTICLES[0].title + "\n" + ARTICLES[0].text
_TEXT_B = ARTICLES[4].title + "\n" + ARTICLES[4].text


def test_a_config_object_reaches_worker_processes():
    strict = StoryConfig(w_noemb=LogitWeights(bias=-9.0, tfidf=5.9, link=4.7, title=4.8, names=1.8,
                                              where=-8.0, day1=-3.2, day2=-4.0, age=3.1, grace=1.0))
    here = same_story_score(_TEXT_A, _TEXT_B, use_embeddings=False, config=strict)
    default = same_story_score(_TEXT_A, _TEXT_B, use_embeddings=False)
    assert here < default  # the config changes the score
    # a fresh interpreter (spawn): nothing of this process's module state, only the object
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        score = pool.submit(same_story_score, _TEXT_A, _TEXT_B, False, strict).result()
        score_default = pool.submit(same_story_score, _TEXT_A, _TEXT_B, False).result()
    assert score == here and score_default == default
    assert pickle.loads(pickle.dumps(DedupConfig(containment=0.7))) == DedupConfig(containment=0.7)
