"""The Arabic text layer: normalization, tokens with clitics, sentences, stems, stop words."""

from __future__ import annotations

import pytest

from marsad.text import (STOPWORDS, is_stopword, normalize, normalize_for_search, split_sentences,
                         stem, stems, tokenize, words)
from marsad.text.normalize import GAP, fold_digits, fold_presentation_forms, strip_diacritics
from marsad.text.tokenize import split_clitics


# --- normalization ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("أعلن", "اعلن"), ("إسطنبول", "اسطنبول"), ("آذار", "اذار"), ("ٱلله", "الله"),  # alef forms
    ("مستشفى", "مستشفي"),  # alef maqsura -> yeh (Lucene)
    ("الحكومة", "الحكومه"),  # teh marbuta -> heh (Lucene)
    ("مسئول", "مسيول"), ("مسؤول", "مسوول"),  # hamza carriers
    ("فارسی", "فارسي"), ("کابل", "كابل"),  # Persian yeh and kaf
])
def test_letter_folding_follows_lucene_and_persian_variants(raw, expected):
    assert normalize(raw) == expected


def test_diacritics_and_tatweel_become_placeholders_keeping_length():
    raw = "قُتِلَ ثمانيةُ أشخاصٍ في الهجـــوم"
    out = normalize(raw)
    assert len(out) == len(raw)
    assert out.replace(GAP, "") == "قتل ثمانيه اشخاص في الهجوم"
    assert normalize_for_search(raw) == "قتل ثمانيه اشخاص في الهجوم"


def test_arabic_indic_and_persian_digits_fold_to_ascii():
    assert normalize("قتل ١٤ شخصا و۱۷ جريحا في ٢٠٢٤") == "قتل 14 شخصا و17 جريحا في 2024"
    assert fold_digits("٣٫٥ مليون") == "3٫5 مليون"  # fold_digits touches digits only
    assert normalize("٣٫٥") == "3.5"


def test_zero_width_and_bidi_controls_are_invisible():
    raw = "\u200fالكرملين\u200c ينفي\u202b التقرير\u202c\u2066!\u2069"
    assert normalize_for_search(raw) == "الكرملين ينفي التقرير!"
    assert len(normalize(raw)) == len(raw)


def test_presentation_forms_and_lam_alef_ligatures():
    # isolated/final presentation forms fold in place (same length)
    assert normalize("\ufe8d\ufedf\ufedc\ufeae\ufee4\ufee0\ufef4\ufee6") == "الكرملين"
    # lam-alef ligatures expand to two letters
    assert fold_presentation_forms("\ufefb اتفاق") == "لا اتفاق"
    assert normalize_for_search("\ufef7\ufeb3\ufeae\ufef0") == "لاسري"
    assert normalize_for_search("س\ufefcم") == "سلام"


def test_strip_diacritics_keeps_letters_unfolded():
    assert strip_diacritics("أُعلِنَتْ الهُدنــة") == "أعلنت الهدنة"


# --- tokenization ----------------------------------------------------------------------------

def test_tokens_carry_offsets_into_the_original_text():
    text = "وقال المتحدثُ باسم الكرملين، دميتري بيسكوف: «لا اتفاق»."
    toks = tokenize(text)
    assert [t.text for t in toks][:4] == ["وقال", "المتحدثُ", "باسم", "الكرملين"]
    for t in toks:
        assert text[t.start:t.end] == t.text
    assert toks[1].norm == "المتحدث"


@pytest.mark.parametrize("word, prefix, base", [
    ("وللكرملين", "ولل", "كرملين"),
    ("والمفاوضات", "وال", "مفاوضات"),
    ("بالحرب", "بال", "حرب"),
    ("وقال", "و", "قال"),
    ("للحكومه", "لل", "حكومه"),
    ("وبوتين", "و", "بوتين"),
    ("ولبنان", "و", "لبنان"),
    ("بسبب", "ب", "سبب"),
    ("الكرملين", "ال", "كرملين"),
])
def test_clitics_are_peeled(word, prefix, base):
    assert split_clitics(word) == (prefix, base)


@pytest.mark.parametrize("word", ["وزير", "فرنسا", "بيان", "بوتين", "لبنان", "كانت", "ولايه",
                                  "كامل", "فكره", "التزام", "الذين", "بلد", "ولد"])
def test_words_that_merely_start_with_a_clitic_letter_stay_whole(word):
    assert split_clitics(word) == ("", word)


def test_hamza_written_alef_is_not_the_article():
    toks = tokenize("إلغاء الاتفاق مع ألمانيا")
    assert (toks[0].prefix, toks[0].base) == ("", "الغاء")
    assert (toks[1].prefix, toks[1].base) == ("ال", "اتفاق")
    assert toks[3].base == "المانيا"


def test_unknown_names_after_conjunction_and_article():
    # names the frequency table does not hold still lose a conjunction / article
    assert split_clitics("وزيلينسكيوف")[0] == "و"
    assert split_clitics("والزيلينسكيوف") == ("وال", "زيلينسكيوف")


def test_words_fast_path_matches_token_norms():
    text = "أكّد بيسكوف أن المحادثات ستُستأنف في ٢٠٢٤."
    assert words(text) == [t.norm for t in tokenize(text)]
    assert "2024" in words(text)


# --- sentences -------------------------------------------------------------------------------

def test_sentences_end_at_arabic_and_latin_marks_but_not_at_the_comma():
    text = "وصل الوفد إلى أنقرة، والتقى الوزير. هل تنجح المحادثات؟ نعم! ثم غادر"
    got = [s.text for s in split_sentences(text)]
    assert got == ["وصل الوفد إلى أنقرة، والتقى الوزير.", "هل تنجح المحادثات؟", "نعم!", "ثم غادر"]


def test_sentences_do_not_break_inside_quotations():
    text = ('وقال الناطق: «لن نقبل بذلك. موقفنا ثابت». وأضاف أن الوفد سيعود. '
            'وكتب الوزير: "الهدنة هشة. علينا الحذر". وردّ السفير: “لا تعليق. انتهى”.')
    got = [s.text for s in split_sentences(text)]
    assert got == ['وقال الناطق: «لن نقبل بذلك. موقفنا ثابت».', "وأضاف أن الوفد سيعود.",
                   'وكتب الوزير: "الهدنة هشة. علينا الحذر".', "وردّ السفير: “لا تعليق. انتهى”."]


def test_sentences_with_right_quotes_used_on_both_sides():
    text = "وقال الوسيط إن”الطرفين اتفقا. والتوقيع غدا” بحسب البيان. وانتهى اللقاء."
    got = [s.text for s in split_sentences(text)]
    assert got == ["وقال الوسيط إن”الطرفين اتفقا. والتوقيع غدا” بحسب البيان.", "وانتهى اللقاء."]


def test_semicolon_is_optional_and_numbers_and_initials_do_not_split():
    text = "ارتفع المؤشر 3.5 بالمئة؛ وفق أ.ف.ب اليوم. وتراجع النفط."
    assert len(split_sentences(text)) == 2
    assert [s.text for s in split_sentences(text, semicolon=True)][0] == "ارتفع المؤشر 3.5 بالمئة؛"
    for s in split_sentences(text, semicolon=True):
        assert text[s.start:s.end] == s.text


def test_every_line_is_its_own_sentence():
    text = "عنوان بلا نقطة\nالفقرة الأولى هنا. والثانية هنا"
    assert [s.text for s in split_sentences(text)] == ["عنوان بلا نقطة", "الفقرة الأولى هنا.",
                                                       "والثانية هنا"]


# --- stems -----------------------------------------------------------------------------------

def test_stems_agree_across_clitics_and_definiteness():
    assert stem("والمفاوضات") == stem("المفاوضات") == stem("مفاوضات") == "مفاوض"
    assert stem("وللكرملين") == stem("الكرملين")
    assert stem("بالحرب") == stem("الحرب") == "حرب"
    assert stem("والطائرة") == stem("الطائرات")


def test_stem_does_not_eat_the_first_letter_of_names():
    assert stem("بوتين") == stem("وبوتين") == "بوتين"
    assert stem("وزير") == "وزير"
    assert stem("فرنسا").startswith("فرنس")


def test_stems_of_a_list_and_latin():
    assert stems(["بالحرب", "NATO", "2024"]) == ["حرب", "nato", "2024"]


# --- stop words ------------------------------------------------------------------------------

def test_stopwords_are_normalized_and_cover_conjunction_forms():
    assert all(w == normalize_for_search(w) for w in STOPWORDS)
    for w in ["في", "الي", "علي", "التي", "وفي", "فهذا", "انه", "هذه"]:
        assert is_stopword(w), w
    for w in ["الكرملين", "قال", "هدنه", "صواريخ"]:
        assert not is_stopword(w), w
