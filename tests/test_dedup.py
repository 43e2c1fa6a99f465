"""Exact and near-duplicate detection on hand-written Arabic wire copy."""

from __future__ import annotations

from marsad.dedup import Deduper, SyndicationGroup
from marsad.model import Article

WIRE = (
    "أعلنت وزارة الصحة في العاصمة الأردنية عمّان، صباح الثلاثاء، افتتاح مستشفى جديد للأطفال "
    "في مدينة الزرقاء بسعة مئتين وخمسين سريراً، بعد أعمال بناء استمرت ثلاث سنوات بتمويل من "
    "صندوق التنمية الخليجي.\n"
    "وقال وزير الصحة خلال حفل الافتتاح إن المستشفى سيخدم أكثر من مليون نسمة في المحافظة "
    "ومحيطها، وإنه مجهز بوحدة عناية مركزة لحديثي الولادة وقسم لجراحة القلب.\n"
    "وأضاف الوزير أن الحكومة تعتزم تعيين أربعمئة طبيب وممرض خلال الأشهر المقبلة لتشغيل "
    "الأقسام كافة، مشيراً إلى أن المرحلة الأولى تبدأ مطلع الشهر المقبل.\n"
    "وكانت نقابة الأطباء قد طالبت مراراً بتوسيع الخدمات الصحية في الزرقاء التي تعاني من "
    "اكتظاظ المستشفيات الحكومية وطول فترات الانتظار في أقسام الطوارئ."
)

# The same wire text as another outlet runs it: new headline, last paragraph cut, a share
# line and a credit line added around it.
COPY = (
    "شارك على فيسبوك | تويتر | واتساب\n"
    + WIRE.rsplit("\n", 1)[0]
    + "\n(بترا)\nاقرأ المزيد من أخبار الصحة على موقعنا"
)

# The same story reported independently: same facts, different wording.
INDEPENDENT = (
    "افتتح وزير الصحة الأردني الثلاثاء مستشفى للأطفال في الزرقاء، يضم 250 سريراً، وهو "
    "مشروع موّله صندوق خليجي واستغرق إنجازه نحو ثلاثة أعوام.\n"
    "ويتضمن المبنى الجديد قسماً لجراحة القلب ووحدة لرعاية المواليد، ويتوقع أن يستقبل "
    "المرضى من المحافظة والمناطق المجاورة التي يقطنها قرابة مليون شخص.\n"
    "وأوضح الوزير في تصريحات للصحفيين على هامش الحفل أن وزارته ستوظف مئات الكوادر الطبية "
    "قريباً، في وقت يشكو فيه سكان الزرقاء من ازدحام مستشفياتها الحكومية."
)

UNRELATED = (
    "تأهل المنتخب المغربي لكرة القدم إلى نهائي البطولة العربية بعد فوزه على نظيره التونسي "
    "بهدفين مقابل هدف واحد، في المباراة التي أقيمت مساء الأحد على ملعب مدينة الدوحة.\n"
    "وسجل مهاجم المنتخب هدف الفوز في الدقيقة الثمانين من ضربة رأس إثر ركلة ركنية، بعد أن "
    "تقدم المنتخب التونسي في الشوط الأول وعادل المغرب النتيجة مطلع الشوط الثاني.\n"
    "ويلتقي المنتخب المغربي في المباراة النهائية يوم الجمعة المقبل الفائز من مواجهة "
    "الجزائر ومصر التي تقام مساء الاثنين."
)


def art(id_, text, title="عنوان", published="2024-05-14", outlet=None, credited=()):
    return Article(id=id_, origin=f"{id_}.txt", title=title, text=text, published=published,
                   outlet=outlet, credited=list(credited))


def test_copy_with_new_headline_trimmed_paragraph_and_boilerplate_is_a_duplicate():
    d = Deduper()
    first = d.add(art("a1", WIRE, title="افتتاح مستشفى للأطفال في الزرقاء", outlet="الرأي",
                      credited=["بترا"], published="2024-05-14T08:00"))
    copy = d.add(art("a2", COPY, title="250 سريراً في مستشفى الزرقاء الجديد", outlet="الغد",
                     credited=["بترا"], published="2024-05-14T10:30"))
    assert first.duplicate_of is None
    assert copy.duplicate_of == "a1"
    assert copy.exact is False
    assert copy.group == first.group
    assert copy.similarity >= 0.65


def test_exact_copy_with_other_headline_and_diacritics_is_exact():
    d = Deduper()
    d.add(art("a1", WIRE, title="افتتاح مستشفى"))
    # The same body with a few diacritics and a tatweel: still the same normalized content.
    marked = WIRE.replace("وزارة", "وزارةُ").replace("الصحة", "الصـحة")
    r = d.add(art("a2", marked, title="عنوان آخر تماماً"))
    assert r.exact is True and r.duplicate_of == "a1"


def test_same_story_in_other_words_is_not_a_duplicate():
    d = Deduper()
    d.add(art("a1", WIRE))
    assert d.add(art("a2", INDEPENDENT)).duplicate_of is None
    assert d.add(art("a3", UNRELATED)).duplicate_of is None
    assert d.groups() == []


# Months later: a new report that opens with its own news and then carries the older
# report whole as background. It contains the older text but is not a copy of it.
FOLLOW_UP = (
    "استقبل مستشفى الأطفال الجديد في مدينة الزرقاء، الأحد، أول مريض في قسم جراحة القلب، بعد "
    "أربعة أشهر من افتتاحه، وأجرى فريق طبي أردني عملية ناجحة لطفل في الثالثة من عمره.\n"
    "وقال مدير المستشفى في مؤتمر صحفي إن القسم سيجري نحو عشرين عملية شهرياً في المرحلة "
    "الأولى، وإن قائمة الانتظار تضم حالياً أكثر من مئة وستين طفلاً من مختلف المحافظات.\n"
    "وأوضح أن المستشفى عيّن حتى الآن مئتين وثمانين طبيباً وممرضاً من أصل أربعمئة، وأن "
    "تشغيل وحدة العناية المركزة لحديثي الولادة بكامل طاقتها ينتظر وصول أجهزة من الخارج.\n"
    "وفيما يلي ما نشرناه يوم الافتتاح:\n"
    + WIRE
)


def test_a_follow_up_carrying_the_older_report_as_background_is_not_a_duplicate():
    d = Deduper()
    d.add(art("a1", WIRE, published="2024-05-14"))
    r = d.add(art("a2", FOLLOW_UP, title="أول عملية قلب للأطفال في مستشفى الزرقاء", published="2024-09-15"))
    assert r.duplicate_of is None and d.groups() == []
    # The whole older text is in the new one: containment alone would have called it a copy.
    from marsad.dedup import body_words, shingle_hashes
    import numpy as np

    old = shingle_hashes(body_words(art("x", WIRE)))
    new = shingle_hashes(body_words(art("y", FOLLOW_UP)))
    assert len(np.intersect1d(old, new)) / len(old) > 0.9


def test_duplicate_points_to_earliest_published_copy_and_groups_credit_the_agency():
    d = Deduper()
    # Arrive out of order: the later copy first.
    d.add(art("late", COPY, published="2024-05-14T12:00", outlet="الغد", credited=["بترا"]))
    r = d.add(art("early", WIRE, published="2024-05-14T07:00", outlet="الرأي", credited=["بترا"]))
    # Nothing earlier than "early" was seen, so it is the first copy...
    assert r.duplicate_of is None
    # ...and the current answer for "late" now points to it.
    assert d.duplicate_of("late") == "early"
    r3 = d.add(art("third", WIRE + "\nتابعونا على تطبيقنا", published="2024-05-14T15:00",
                   outlet="عمون", credited=["بترا"]))
    assert r3.duplicate_of == "early"
    (g,) = d.groups()
    assert isinstance(g, SyndicationGroup)
    assert g.members == ["early", "late", "third"]
    assert g.first == "early"
    assert g.credited == "بترا"
    assert g.outlets == ["الرأي", "الغد", "عمون"]


def test_state_round_trip_resumes_detection():
    d = Deduper()
    d.add(art("a1", WIRE))
    d.add(art("a2", UNRELATED))
    d2 = Deduper.from_state(d.state())
    assert len(d2) == 2
    r = d2.add(art("a3", COPY))
    assert r.duplicate_of == "a1"
    # Re-adding an article already seen is harmless and gives the same answer.
    assert d2.add(art("a3", COPY)).duplicate_of == "a1"
    assert len(d2) == 3


def test_short_texts_only_match_exactly():
    d = Deduper()
    d.add(art("b1", "عاجل: زلزال بقوة خمس درجات يضرب جنوب تركيا", title="زلزال"))
    r = d.add(art("b2", "عاجل: زلزال بقوة ست درجات يضرب جنوب تركيا", title="زلزال"))
    assert r.duplicate_of is None
    r = d.add(art("b3", "عاجل: زلزال بقوة خمس درجات يضرب جنوب تركيا", title="زلزال"))
    assert r.duplicate_of == "b1" and r.exact


def test_bad_state_is_a_clear_error():
    import pytest

    from marsad.errors import MarsadError

    with pytest.raises(MarsadError):
        Deduper.from_state(b"not a state")
