"""Four realistic Arabic news articles written for the entity-link tests (test_entities,
test_api): Jordan's foreign minister named in full and then by his surname alone, a denial by
a body (the EU) of an agency's report, and two people who share the surname «المالكي»."""

from __future__ import annotations

from marsad.model import RawDoc
from marsad.store import open_store

LINK_RECORDS = [
    {"title": "الصفدي: لا حل إلا بإقامة الدولة الفلسطينية", "date": "2024-05-12", "source": "صحيفة الرأي",
     "text": "قال وزير الخارجية الأردني أيمن الصفدي إن بلاده ترفض أي خطوة أحادية تمس الوضع القائم في "
             "القدس. وأضاف الصفدي خلال مؤتمر صحفي في عمان مع نظيره الألماني أن «الحل الوحيد هو إقامة "
             "الدولة الفلسطينية المستقلة على خطوط الرابع من حزيران». والتقى الصفدي وزير الخارجية "
             "الألماني في عمان لبحث الأوضاع في غزة."},
    {"title": "الأردن يرفض تهجير الفلسطينيين", "date": "2024-05-13", "source": "وكالة الأنباء العربية",
     "text": "جدد وزير الخارجية الأردني دعوته إلى وقف التصعيد في غزة. وقال الصفدي في تصريحات للصحفيين "
             "في عمان إن «الأردن لن يقبل بتهجير الفلسطينيين من أرضهم تحت أي ظرف». ونفى الاتحاد "
             "الأوروبي ما ذكرته وكالة رويترز عن تجميد المساعدات المخصصة للأردن. واستقبل الصفدي "
             "المبعوث الأممي في عمان."},
    {"title": "المالكي يدعو إلى حوار وطني", "date": "2024-05-14", "source": "صحيفة المدى",
     "text": "دعا رئيس الوزراء العراقي السابق نوري المالكي القوى السياسية إلى حوار وطني شامل. وقال "
             "المالكي في كلمة متلفزة إن «العراق لا يحتمل أزمة جديدة». وأشار المالكي إلى أن "
             "الانتخابات المقبلة ستجري في موعدها."},
    {"title": "التحالف يعلن اعتراض صاروخ باليستي", "date": "2024-05-14", "source": "وكالة الأنباء العربية",
     "text": "قال المتحدث باسم التحالف العقيد تركي المالكي إن الدفاعات الجوية اعترضت صاروخا باليستيا "
             "أطلق باتجاه جازان. وأضاف تركي المالكي في بيان أن «الصاروخ أطلق من محافظة صعدة». وأكد "
             "المالكي أن قوات التحالف ستواصل عملياتها."},
]


def analyze_link_records(url: str) -> None:
    """Run the pipeline over LINK_RECORDS into the store at ``url`` and close it."""
    from marsad.pipeline import Pipeline

    raws = [RawDoc(origin=f"links/{i}.json", kind="record", fields=r) for i, r in enumerate(LINK_RECORDS)]
    with open_store(url) as store:
        p = Pipeline(store, use_embeddings=False)
        assert len(p.ingest(raws).stored) == 4
        p.finish()
