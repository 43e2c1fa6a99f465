"""Cleaning scraped text and reading metadata, on hand-written fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.ingest import extract_articles, read_inputs
from marsad.ingest.clean import clean_text
from marsad.ingest.metadata import find_credited, outlet_from_copyright, outlet_from_source_line
from marsad.model import RawDoc

FIX = Path(__file__).parent / "fixtures" / "ingest"


def _articles(name: str):
    docs = list(read_inputs([str(FIX / name)]))
    assert len(docs) == 1 and isinstance(docs[0], RawDoc)
    return extract_articles(docs[0])


def _paragraphs(path: Path) -> list[str]:
    return [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]


# --- a scraped page with an appended article -------------------------------------------------

def test_scraped_page_title_date_outlet_credits():
    a = _articles("scraped_two_parts.txt")[0]
    assert a.title == "انقطاع المياه عن أحياء شرق المدينة لليوم الثالث وسط وعود بالإصلاح"
    assert a.title_derived is False
    assert (a.published, a.published_text) == ("2024-03-02", "السبت، 2 آذار/مارس 2024")
    assert a.outlet == "الأفق اليوم"
    assert a.credited == ["فرانس برس"]  # the caption's «أ ف ب» is a photo credit, not a text credit


def test_scraped_page_boilerplate_is_removed_and_listed_body_kept_whole():
    a = _articles("scraped_two_parts.txt")[0]
    lines = a.text.split("\n\n")
    for junk in ["تخطى إلى المحتوى", "الرئيسية", "رياضة", "أخبار عاجلة", "شارك", "طباعة",
                 "أضف تعليقك", "المصدر: الأفق اليوم", "كلمات مفتاحية: المياه، الوادي الأخضر، البلدية",
                 "عمال الصيانة يعملون على خط الضخ الرئيسي - أ ف ب", "إقرأ أيضاً:"]:
        assert junk not in lines
        assert junk in a.removed
    # the headline appears three times in the scrape: never in the body
    assert all("انقطاع المياه عن أحياء" not in ln for ln in lines)
    # every paragraph of the article survives, in order, and the sub-heading stays in place
    assert lines[0].startswith("يعاني سكان الأحياء الشرقية")
    assert lines[2] == "أزمة متكررة"
    assert lines[-1].startswith("في المقابل، اشتكى الأهالي")
    assert len(lines) == 5


def test_appended_article_becomes_part_one_with_its_own_title_and_date():
    parts = _articles("scraped_two_parts.txt")
    assert [p.part for p in parts] == [0, 1]
    p1 = parts[1]
    assert p1.title == "البلدية تطلق حملة لترشيد استهلاك المياه قبل الصيف"
    assert (p1.published, p1.published_text) == ("2024-02-29", "الخميس 29 شباط/فبراير 2024")
    assert p1.outlet == "الأفق اليوم"  # named once for the whole page
    assert len(p1.text.split("\n\n")) == 3
    assert "إلغاء الرد" in p1.removed and "جميع الحقوق محفوظة © الأفق اليوم 2024" in p1.removed
    assert "البلدية تطلق حملة" not in parts[0].text
    assert p1.id != parts[0].id


def test_related_list_after_a_marker_is_boilerplate_not_a_second_article():
    parts = _articles("related_list.txt")
    assert len(parts) == 1
    a = parts[0]
    assert a.title == "وزير الزراعة يعلن خطة لدعم مزارعي القمح بعد موسم الجفاف"
    assert (a.published, a.published_text) == ("2024-04-08", "الاثنين ٨ أبريل ٢٠٢٤")
    assert a.outlet == "مينا الشمال"
    assert a.credited == ["وكالة الأنباء النوميدية", "رويترز"]
    for junk in ["• نقابة المزارعين تطالب بتأجيل سداد القروض", "مقالات ذات صلة",
                 "السابق مهرجان الزيتون يفتتح دورته العاشرة في القرية الجبلية",
                 "التالي افتتاح سوق جديدة للمنتجات الريفية في الضاحية", "أضف تعليقك هنا",
                 "اشترك في نشرتنا الإخبارية اليومية", "تابعونا على فيسبوك وتويتر ويوتيوب",
                 "صورة أرشيفية لحقول القمح في السهل الشمالي", "مينا الشمال | الصفحة الرئيسية"]:
        assert junk in a.removed
        assert junk not in a.text
    assert len(a.text.split("\n\n")) == 3


def test_read_also_links_in_the_middle_of_the_body_are_removed_and_the_body_goes_on():
    text = ("سباق الفضاء التجاري يدخل مرحلة جديدة\n\n"
            "أطلقت شركة خاصة أول مركبة شحن قابلة لإعادة الاستخدام بالكامل، في خطوة يقول خبراء إنها "
            "قد تخفض كلفة إرسال الأقمار الصناعية إلى المدار بنحو النصف.\n"
            "اقرأ أيضاً:\n"
            "وكالة الفضاء الأوروبية تؤجل إطلاق مسبارها الجديد إلى العام المقبل\n"
            "ثلاث شركات ناشئة تتنافس على عقد لنقل رواد الفضاء\n"
            "وتعتزم الشركة تنفيذ أربع رحلات تجريبية أخرى قبل نهاية العام، على أن تبدأ الرحلات "
            "التجارية المنتظمة في الربع الأول من العام المقبل.\n"
            "وقال مديرها التنفيذي إن المركبة صممت لتتحمل خمسين رحلة على الأقل دون صيانة كبرى، "
            "وهو رقم لم تحققه أي مركبة سابقة.\n")
    parts = clean_text(text)
    assert len(parts) == 1
    [p] = parts
    assert len(p.body) == 3 and p.body[1].startswith("وتعتزم الشركة")
    assert "ثلاث شركات ناشئة تتنافس على عقد لنقل رواد الفضاء" in p.removed
    assert "اقرأ أيضاً:" in p.removed


def test_a_one_line_item_is_its_own_body():
    [p] = clean_text("انقطاع الكهرباء عن وسط المدينة لساعتين", title="عطل كهربائي")
    assert p.body == ["انقطاع الكهرباء عن وسط المدينة لساعتين"]


def test_untitled_text_gets_a_title_derived_from_the_lead():
    a = _articles("untitled.txt")[0]
    assert a.title_derived is True
    assert a.title.startswith("أعادت السلطات المحلية، صباح الأحد")
    assert len(a.title.split()) <= 17
    assert a.published is None and a.outlet is None


def test_html_page_uses_metadata_and_visible_date_and_drops_page_furniture():
    a = _articles("page.html")[0]
    assert a.title == "افتتاح جسر المرفأ الجديد بعد ثلاث سنوات من الأشغال"
    assert a.outlet == "صدى الساحل"
    assert (a.published, a.published_text) == ("2024-05-14", "الثلاثاء 14 أيار 2024")
    assert a.credited == ["الأناضول"]
    paras = a.text.split("\n\n")
    assert len(paras) == 3 and paras[0].startswith("افتتح رئيس الحكومة")
    for junk in ["الجسر الجديد فوق مدخل المرفأ", "شارك عبر: فيسبوك | تويتر | واتساب",
                 "ارتفاع أسعار السمك في سوق المرفأ", "© 2024 صدى الساحل. جميع الحقوق محفوظة"]:
        assert junk not in a.text
        assert junk in a.removed


def test_records_take_fields_by_any_usual_name():
    docs = [d for d in read_inputs([str(FIX / "feed.jsonl")]) if isinstance(d, RawDoc)]
    a, b = (extract_articles(d)[0] for d in docs)
    assert a.title == "افتتاح معرض الكتاب بمشاركة ثلاثمئة دار نشر"
    assert (a.published, a.published_text) == ("2024-02-21", "2024-02-21T19:05:00+03:00")
    assert a.outlet == "وكالة الأنباء الإقليمية" and a.url == "https://wire.example/culture/book-fair"
    assert b.title == "إغلاق مطار العاصمة ساعتين بسبب الضباب"  # "headline"/"body"/"site" keys
    assert (b.published, b.outlet, b.credited) == ("2024-02-22", "مرصد الأجواء", ["رويترز"])


# --- cleaning rules one by one ---------------------------------------------------------------

def test_subheadings_between_paragraphs_are_kept_but_short_footer_lines_are_not():
    text = ("قرار حكومي برفع أسعار الخبز المدعوم\n\n"
            "قررت الحكومة رفع سعر ربطة الخبز المدعوم بنسبة عشرة في المئة اعتبارا من مطلع الشهر "
            "المقبل، في خطوة قالت إنها ضرورية لخفض عجز الموازنة.\n\n"
            "ردود فعل\n\n"
            "وانتقدت نقابات عمالية القرار، معتبرة أنه يمس الفئات الأشد فقرا في وقت ترتفع فيه "
            "أسعار المواد الأساسية منذ أشهر.\n\n"
            "فريق التحرير\n")
    [p] = clean_text(text)
    assert p.body[1] == "ردود فعل"
    assert "فريق التحرير" in p.removed and "فريق التحرير" not in p.body


def test_a_body_sentence_that_mentions_sharing_is_not_boilerplate():
    text = ("مؤتمر للمانحين في العاصمة\n\n"
            "شارك ممثلو أكثر من ثلاثين دولة في مؤتمر المانحين الذي افتتح صباح اليوم في العاصمة، "
            "وتعهدوا بتقديم مساعدات إنسانية عاجلة.\n\n"
            "وتابع الوزير أن بلاده ستنشر قائمة المساهمات كاملة على موقع الوزارة الإلكتروني "
            "خلال أيام.\n")
    [p] = clean_text(text)
    assert len(p.body) == 2 and p.removed == []


def test_a_brand_line_in_the_menu_is_not_the_headline_but_a_deck_after_it_is_not_either():
    body = ("أقرت الحكومة في جلستها الأسبوعية زيادة رواتب موظفي القطاع العام بنسبة خمسة في المئة "
            "اعتبارا من الشهر المقبل، بعد أشهر من المطالبات النقابية.\n")
    text = ("صحيفة الأفق اليوم\nالرئيسية\nسياسة\nاقتصاد\n\n"
            "زيادة رواتب موظفي القطاع العام\n\n"
            "النقابات ترحب وتطالب بالمزيد\n\n" + body)
    [p] = clean_text(text)
    assert p.title == "زيادة رواتب موظفي القطاع العام"
    assert "صحيفة الأفق اليوم" in p.removed


def test_body_sentences_that_start_like_prompts_are_kept():
    text = ("جدل حول تصريحات الوزير\n\n"
            "التعليقات التي أدلى بها الوزير أمس أثارت موجة انتقادات واسعة في البرلمان.\n\n"
            "تابع النواب الجلسة على الهواء مباشرة قبل أن يرفعها رئيس المجلس بعد ساعتين من النقاش.\n\n"
            "وقال نائب معارض إن الجميع شارك.\n\n"
            "شارك\n")
    [p] = clean_text(text)
    assert len(p.body) == 3, p.removed
    assert p.body[-1] == "وقال نائب معارض إن الجميع شارك."
    assert p.removed == ["شارك"]


def test_known_title_from_metadata_removes_its_repetitions():
    text = ("هدنة إنسانية لمدة ثلاثة أيام\n"
            "هدنة إنسانية لمدة ثلاثة أيام\n\n"
            "أعلن الوسطاء التوصل إلى هدنة إنسانية لمدة ثلاثة أيام تبدأ منتصف الليل، للسماح بدخول "
            "قوافل المساعدات إلى المناطق المحاصرة.\n")
    [p] = clean_text(text, title="هدنة إنسانية لمدة ثلاثة أيام")
    assert p.title == "هدنة إنسانية لمدة ثلاثة أيام" and len(p.body) == 1
    assert p.removed == ["هدنة إنسانية لمدة ثلاثة أيام"] * 2


def test_presentation_forms_are_folded_before_anything_takes_offsets():
    text = "\ufefb اتفاق في الأفق\n\nقال الوسيط إنه \ufefb يرى اتفاقا قريبا بين الطرفين رغم التقدم المحدود في الجولة الأخيرة من المحادثات.\n"
    [p] = clean_text(text)
    assert p.title == "لا اتفاق في الأفق"
    assert "\ufefb" not in p.text and "إنه لا يرى" in p.text


# --- metadata helpers ------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("وقال في تصريحات نقلتها وكالة أنباء \"تاس\" الروسية إن الوفد سيعود.", ["تاس"]),
    ("وأفاد مصدران لرويترز بأن الاتفاق وشيك، بحسب ما نقلت فرانس برس.", ["رويترز", "فرانس برس"]),
    ("القاهرة (أ ف ب) - أعلن الجيش أن ...", ["أ ف ب"]),
    ("نقلت وكالة الأنباء الروسية (سبوتنيك) عن مصدر قوله", ["سبوتنيك"]),
    ("ونفى الكرملين تقريرا لوكالة بلومبرغ، فيما نقلت إنترفاكس عن نائب الوزير", ["بلومبرغ", "إنترفاكس"]),
    ("في بيان نشرته وكالة الأنباء السهيلية الرسمية", ["وكالة الأنباء السهيلية"]),
    ("حسبما نقلت صحيفة «الوطن اليوم» المحلية", ["الوطن اليوم"]),
    ("قالت أم محمد وام علي إنهما فقدتا منزليهما", []),  # «وام» here is «and mother»
    ("أكدت قنا (أ ب) أن ...", ["أ ب"]),
])
def test_credited_sources(text, expected):
    assert find_credited(text) == expected


def test_outlet_lines():
    assert outlet_from_source_line("العربي - رويترز") == ("العربي", ["رويترز"])
    assert outlet_from_source_line("وكالة سبوتنيك") == (None, ["سبوتنيك"])
    assert outlet_from_copyright("جميع الحقوق محفوظة © النهار العربي 2024") == "النهار العربي"
    assert outlet_from_copyright("الأطلس 24 - كل الحقوق محفوظة") == "الأطلس 24"
    assert outlet_from_copyright("© 2024 الشرق اليوم. جميع الحقوق محفوظة") == "الشرق اليوم"
    assert outlet_from_copyright("وقال إن الحقوق مصونة") is None
