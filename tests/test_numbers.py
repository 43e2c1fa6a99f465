"""Arabic numbers: digits in every script, number words, duals, vague magnitudes, qualifiers."""

from __future__ import annotations

import pytest

from marsad.text.numbers import find_numbers, parse_number


@pytest.mark.parametrize("text, value", [
    ("17500", 17500),
    ("17,500", 17500),
    ("١٧٬٥٠٠", 17500),
    ("3,5 مليون", 3_500_000),
    ("١٤", 14),
    ("۱۴", 14),
    ("3.5", 3.5),
    ("٣٫٥", 3.5),
    ("2.5 مليون", 2_500_000),
    ("واحد", 1),
    ("اثنان", 2),
    ("اثنين", 2),
    ("شخصان", 2),
    ("شخصين", 2),
    ("جنديين", 2),
    ("طفلين", 2),
    ("طائرتين", 2),
    ("ثلاثة", 3),
    ("ثماني", 8),
    ("عشرة", 10),
    ("أحد عشر", 11),
    ("إحدى عشرة", 11),
    ("اثنا عشر", 12),
    ("ثلاثة عشر", 13),
    ("عشرون", 20),
    ("عشرين", 20),
    ("مئة", 100),
    ("مائة", 100),
    ("مئتين", 200),
    ("ثلاثمئة", 300),
    ("ثلاث مئة", 300),
    ("ألف", 1000),
    ("ألفين", 2000),
    ("مليون", 1_000_000),
    ("خمسة وعشرون", 25),
    ("مئة وخمسون", 150),
    ("ثلاثة آلاف", 3000),
    ("ألف وثلاثمئة واثنان وعشرون", 1322),
    ("مليون و200 ألف", 1_200_000),
    ("نصف مليون", 500_000),
    ("نحو 40 ألفا", 40_000),
    ("عشرات", 10),
    ("مئات", 100),
    ("آلاف", 1000),
    ("ملايين", 1_000_000),
    ("عشرات الآلاف", 10_000),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "   ", "الكرملين", "يوم الاثنين", "أحد الجنود", "الأحد"])
def test_no_number(text):
    assert parse_number(text) is None


def spans(text):
    out = find_numbers(text)
    for n in out:
        assert text[n.start:n.end] == n.text  # offsets are into the text as given
    return out


def test_qualifier_after_and_counted_noun():
    text = "ولقي 11 شخصا على الأقل حتفهم بينهم أربعة أطفال في غارة على البلدة."
    first, second = spans(text)
    assert (first.value, first.text, first.qualifier, first.noun) == (11, "11", "at least", "شخصا")
    assert (second.value, second.qualifier, second.noun) == (4, None, "أطفال")


@pytest.mark.parametrize("phrase, qualifier", [
    ("نحو 300 متظاهر", "about"),
    ("حوالي 300 متظاهر", "about"),
    ("قرابة 300 متظاهر", "about"),
    ("زهاء 300 متظاهر", "about"),
    ("أكثر من 300 متظاهر", "more than"),
    ("ما يزيد على 300 متظاهر", "more than"),
    ("أقل من 300 متظاهر", "less than"),
    ("ما لا يقل عن 300 متظاهر", "at least"),
    ("على الأقل 300 متظاهر", "at least"),
    ("حتى 300 متظاهر", "up to"),
    ("بنحو 300 متظاهر", "about"),
])
def test_qualifiers_before(phrase, qualifier):
    (n,) = spans("شارك " + phrase + " في الوقفة")
    assert (n.value, n.qualifier, n.noun) == (300, qualifier, "متظاهر")


def test_vague_magnitude_keeps_its_qualifier_and_noun():
    (n,) = spans("خرج آلاف المتظاهرين إلى شوارع العاصمة")
    assert (n.value, n.text, n.qualifier, n.noun) == (1000, "آلاف", "thousands", "المتظاهرين")
    (n,) = spans("أسفرت الحرب عن مقتل عشرات الآلاف من المدنيين")
    assert (n.value, n.qualifier) == (10_000, "tens of thousands")


def test_dual_counts_two_and_is_its_own_noun():
    (n,) = spans("أسفر القصف عن مقتل شخصين في البلدة")
    assert (n.value, n.text, n.noun, n.noun_norm) == (2, "شخصين", "شخصين", "شخص")
    (n,) = spans("وأصيب جنديان بجروح طفيفة")
    assert (n.value, n.noun_norm) == (2, "جندي")
    # plurals and nisba adjectives are not duals
    assert spans("قتل عدد من المدنيين والفلسطينيين") == []


def test_clitic_conjunction_is_outside_the_span():
    text = "قتل خمسة جنود وثلاثة مدنيين"
    a, b = spans(text)
    assert (a.value, b.value) == (5, 3)
    assert b.text == "ثلاثة"  # «و» is not part of the number


def test_separate_numbers_joined_by_wa_stay_separate():
    a, b = spans("قتل 5 وجرح 12")
    assert (a.value, b.value) == (5, 12)
    a, b = spans("قتل خمسة وجرح ثلاثة")
    assert (a.value, b.value) == (5, 3)


def test_number_before_month_is_seen_with_the_month_as_noun():
    a, b = spans("وقع الهجوم في 29 نوفمبر 2025")
    assert (a.value, a.noun) == (29, "نوفمبر")
    assert b.value == 2025


def test_percent_unit():
    a, b = spans("ارتفعت النسبة إلى 40 في المئة بعد أن كانت 12%")
    assert (a.value, a.unit, b.value, b.unit) == (40, "%", 12, "%")


def test_arabic_indic_digits_with_attached_preposition():
    text = "أسقطت الدفاعات الجوية ٣٥ من أصل ٤٠ مسيّرة وهاجمت بـ12 صاروخا"
    a, b, c = spans(text)
    assert (a.value, a.text, b.value, b.noun) == (35, "٣٥", 40, "مسيّرة")
    assert (c.value, c.text) == (12, "12")


def test_offsets_survive_diacritics():
    text = "قُتِلَ ثَلاثَةَ عَشَرَ شَخْصًا"
    (n,) = spans(text)
    assert n.value == 13 and n.text == "ثَلاثَةَ عَشَرَ"


def test_a_plural_after_its_number_is_not_a_second_number():
    # «ثلاثة مواطنين»: three citizens, not 3 and a dual «مواطنين» (2)
    got = [(n.value, n.noun) for n in spans("احتجزت السلطات ثلاثة مواطنين أميركيين في المطار")]
    assert got == [(3, "مواطنين")]
    got = [(n.value, n.noun) for n in spans("فتح المسلح النار على أربعة شرطيين فأصاب واحدا منهم")]
    assert got[0] == (4, "شرطيين") and all(v != 2 for v, _ in got)


@pytest.mark.parametrize("text", [
    "انسحب المقاتلين من مواقعهم شرق المدينة",
    "اعتصم موظفين أمام مبنى الوزارة",
    "وقال ناشطين إن القصف تواصل",
])
def test_oblique_sound_plurals_are_not_duals(text):
    assert spans(text) == []


def test_a_nominative_dual_of_a_sound_plural_noun_still_counts_two():
    (n,) = spans("وأصيب مقاتلان بجروح طفيفة")
    assert n.value == 2 and n.noun_norm == "مقاتل"
    (n,) = spans("اعتقلت الشرطة جنديين عند الحدود")
    assert n.value == 2


@pytest.mark.parametrize("text, value", [
    ("وانقطعت الكهرباء عن12 ألف منزل", 12000),  # a missing space after the preposition
    ("وأدى الحريق إلى مصرع14 شخصا", 14),
])
def test_digits_glued_to_the_word_before_are_read(text, value):
    assert [n.value for n in spans(text)] == [value]


@pytest.mark.parametrize("text", ["حلقت طائرات إف16 فوق المدينة", "وسجلت إصابات بكوفيد19 في المدينة"])
def test_a_model_name_glued_to_its_digits_is_no_number(text):
    assert spans(text) == []
