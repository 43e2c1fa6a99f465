"""Dates in every regional month style, numeric dates, times, and relative day words."""

from __future__ import annotations

import pytest

from marsad.text.dates import MONTHS, WEEKDAYS, find_date, find_dates, parse_date, resolve_relative


@pytest.mark.parametrize("text, iso", [
    # Egyptian / Gulf
    ("القاهرة - الجمعة 26 يناير 2024", "2024-01-26"),
    ("نُشر في 3 إبريل 2023", "2023-04-03"),
    ("السبت 8 يونيه 2024", "2024-06-08"),
    ("الأحد 14 يوليه 2024", "2024-07-14"),
    # Levantine / Iraqi
    ("بيروت، 2 آذار 2024", "2024-03-02"),
    ("الخميس 1 كانون الثاني 2026", "2026-01-01"),
    ("في 30 تشرين الأول 2023", "2023-10-30"),
    ("31 كانون الأول 2023", "2023-12-31"),
    ("7 أيار 2024", "2024-05-07"),
    ("15 آب 2024", "2024-08-15"),
    # Maghreb
    ("الجزائر في 12 جانفي 2024", "2024-01-12"),
    ("تونس 5 جويلية 2024", "2024-07-05"),
    ("9 أوت 2024", "2024-08-09"),
    ("20 أفريل 2024", "2024-04-20"),
    ("3 فيفري 2025", "2025-02-03"),
    # Morocco
    ("الرباط 11 يوليوز 2024", "2024-07-11"),
    ("4 غشت 2024", "2024-08-04"),
    ("18 شتنبر 2024", "2024-09-18"),
    ("6 نونبر 2024", "2024-11-06"),
    ("25 دجنبر 2024", "2024-12-25"),
])
def test_every_regional_month_style(text, iso):
    assert find_date(text).iso == iso


def test_double_month_forms_and_weekday_are_kept_as_written():
    m = find_date("دمشق - السبت، 2 آذار/مارس 2024 - أعلنت الحكومة")
    assert m.iso == "2024-03-02"
    assert m.text == "السبت، 2 آذار/مارس 2024"
    m = find_date("في 14 تموز (يوليو) 2023 وقع الانفجار")
    assert (m.iso, m.text) == ("2023-07-14", "14 تموز (يوليو) 2023")


def test_conflicting_double_month_is_not_a_date():
    assert find_date("2 آذار/أبريل 2024") is None


def test_arabic_indic_digits_and_offsets_on_the_original():
    text = "آخر تحديث: الأربعاء ١٥ مايو ٢٠٢٤ الساعة ١٠:٤٥ مساءً"
    m = find_date(text)
    assert m.iso == "2024-05-15T22:45"
    assert text[m.start:m.end] == m.text
    assert m.text.startswith("الأربعاء") and m.text.endswith("مساءً")


@pytest.mark.parametrize("text, iso", [
    ("2024/01/26", "2024-01-26"),
    ("26-01-2024", "2024-01-26"),
    ("26.01.2024", "2024-01-26"),
    ("2024-01-26 14:05", "2024-01-26T14:05"),
    ("١٢/٠٣/٢٠٢٤", "2024-03-12"),
    ("03/25/2024", "2024-03-25"),  # month first when the second field cannot be a month
])
def test_numeric_dates(text, iso):
    assert find_date(text).iso == iso


def test_no_date_in_plain_numbers_or_years_alone():
    assert find_date("قتل 14 شخصا في عامي 2022 و2023 وأصيب 30") is None
    assert find_date("الإصدار 3.10.2") is None
    assert find_date("45 نوفمبر 2024") is None  # no such day


def test_date_without_year_needs_a_default_year():
    assert find_date("ضربت غارة السوق في 29 نوفمبر الماضي") is None
    assert find_date("ضربت غارة السوق في 29 نوفمبر الماضي", year_default=2025).iso == "2025-11-29"


def test_hijri_year_is_not_taken_for_gregorian():
    assert find_date("الموافق 15 رمضان 1445 هـ") is None
    assert [d.iso for d in find_dates("5 مارس 1445 هـ الموافق 5 مارس 2024")] == ["2024-03-05"]


def test_parse_date_reads_feed_and_iso_forms():
    assert parse_date("Sun, 18 Feb 2018 21:35:43 +0400") == "2018-02-18T21:35:43"
    assert parse_date("2024-01-26") == "2024-01-26"
    assert parse_date("2024-01-26T09:30:00+03:00") == "2024-01-26T09:30:00"
    assert parse_date("الجمعة 26 يناير 2024") == "2024-01-26"
    assert parse_date("January 26, 2024") == "2024-01-26"
    assert parse_date("قريبا") is None and parse_date(None) is None


def test_tables_are_exported_for_events():
    assert MONTHS["حزيران"] == 6 and MONTHS["جوان"] == 6 and MONTHS["يونيو"] == 6
    assert MONTHS["تشرين الثاني"] == 11 and MONTHS["نونبر"] == 11
    assert WEEKDAYS["الخميس"] == 3 and WEEKDAYS["الجمعه"] == 4


@pytest.mark.parametrize("phrase, iso", [
    ("اليوم", "2024-01-26"), ("اليوم الجمعة", "2024-01-26"), ("أمس", "2024-01-25"),
    ("أمس الخميس", "2024-01-25"), ("أمس الأول", "2024-01-24"), ("أول أمس", "2024-01-24"),
    ("غداً", "2024-01-27"), ("الثلاثاء", "2024-01-23"), ("يوم الثلاثاء", "2024-01-23"),
    ("الجمعة", "2024-01-26"), ("الجمعة الماضية", "2024-01-19"), ("الأحد المقبل", "2024-01-28"),
])
def test_resolve_relative_against_a_friday_publication(phrase, iso):
    assert resolve_relative(phrase, "2024-01-26") == iso


def test_resolve_relative_refuses_what_does_not_fit():
    # 26 Jan 2024 is a Friday: «today Thursday» fits only copy filed just after midnight
    assert resolve_relative("اليوم الخميس", "2024-01-26") == "2024-01-25"
    assert resolve_relative("اليوم الثلاثاء", "2024-01-26") is None
    assert resolve_relative("الأسبوع", "2024-01-26") is None
    assert resolve_relative("أمس", None) is None
