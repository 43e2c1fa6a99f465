"""The analysed document shared by the fact readers (marsad.analysed) and extract_facts'
error handling."""

from __future__ import annotations

import pytest

import marsad.analysed as analysed_mod
import marsad.facts as facts_mod
from marsad import budget
from marsad.analysed import AnalysedDoc, search_words
from marsad.errors import InputError, ModelMissing
from marsad.facts import extract_facts
from marsad.facts.claims import find_claims
from marsad.facts.entities import find_mentions
from marsad.facts.events import find_events
from marsad.facts.quotes import find_quotes
from marsad.model import Article
from marsad.text import normalize, split_sentences, tokenize

TEXT = (
    "قال وزير الداخلية سليم الحداد إن 4 أشخاص قتلوا وأصيب 11 آخرون في انفجار سيارة مفخخة "
    "قرب سوق الخضار في مدينة الواحات صباح اليوم الثلاثاء.\n"
    "وأضاف الحداد في مؤتمر صحفي: «لن نسمح لأحد بالعبث بأمن المواطنين، والتحقيقات جارية».\n"
    "ونفت وزارة الدفاع ما نشرته صحيفة الفجر عن انسحاب القوات من المعبر الحدودي، "
    "وقالت في بيان إن الوحدات ما زالت في مواقعها.\n"
    "من جهته، أعلن رئيس الوزراء نادر السويدي أن الحكومة ستعقد اجتماعا طارئا مساء الغد."
)


def _article(text: str = TEXT, aid: str = "a1") -> Article:
    return Article(id=aid, origin="test", title="قتلى بانفجار في الواحات", text=text,
                   published="2024-03-12")


def test_every_field_is_what_the_text_functions_give():
    a = _article()
    doc = AnalysedDoc.of(a)
    assert doc.sentences == split_sentences(a.text)
    assert doc.tokens == tokenize(a.text)
    assert doc.normalized == normalize(a.text)
    assert doc.words == search_words(a.text) and "الحداد" in doc.words
    assert doc.title_words == search_words(a.title)
    # every token belongs to the sentence it starts in, and the bounds cover the tokens in order
    for (lo, hi), s in zip(doc.sentence_tokens, doc.sentences):
        for t in doc.tokens[lo:hi]:
            assert s.start <= t.start < s.end
    assert doc.sentence_tokens[-1][1] == len(doc.tokens)
    assert doc.matches(a) and not doc.matches(_article(TEXT + " خبر آخر."))


def test_the_article_is_split_into_sentences_once_for_all_readers(monkeypatch):
    a = _article()
    calls = []
    real = analysed_mod.split_sentences

    def counting(text, *args, **kwargs):
        calls.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(analysed_mod, "split_sentences", counting)
    extract_facts(a, AnalysedDoc.of(a))
    assert calls == [len(a.text)]


def test_readers_give_the_same_facts_with_and_without_the_analysed_document():
    a = _article()
    doc = AnalysedDoc.of(a)
    ms = find_mentions(a)
    assert find_mentions(a, doc) == ms and ms
    qs = find_quotes(a, ms)
    assert find_quotes(a, ms, doc) == qs and qs
    assert find_claims(a, ms, quotes=qs, analysed=doc) == find_claims(a, ms, quotes=qs)
    assert find_events(a, ms, doc) == find_events(a, ms)
    assert extract_facts(a, doc) == extract_facts(a)
    # an analysed document of another text is not used for this one
    other = AnalysedDoc.of(_article("نص آخر لا علاقة له بالخبر."))
    assert extract_facts(a, other) == extract_facts(a)


def _failing(exc: BaseException):
    def run(*args, **kwargs):
        raise exc
    return run


@pytest.mark.parametrize("reader", ["find_mentions", "find_events"])
def test_a_reader_bug_loses_only_that_readers_facts(monkeypatch, reader):
    a = _article()
    whole = extract_facts(a)
    monkeypatch.setattr(facts_mod, reader, _failing(RuntimeError("a bug")))
    got = extract_facts(a)
    assert got.claims and got.quotes
    if reader == "find_events":
        assert got.events == [] and got.mentions == whole.mentions and got.quotes == whole.quotes
    else:
        assert got.mentions == [] and got.events


@pytest.mark.parametrize("reader", ["find_mentions", "find_events"])
def test_the_time_limit_and_marsad_errors_reach_the_caller(monkeypatch, reader):
    a = _article()
    monkeypatch.setattr(facts_mod, reader, _failing(ModelMissing("the tagger's weights are missing")))
    with pytest.raises(ModelMissing):
        extract_facts(a)
    monkeypatch.setattr(facts_mod, reader, _failing(budget.TimeLimitExceeded("test")))
    with pytest.raises(budget.TimeLimitExceeded):
        extract_facts(a)
    # inside an input's time limit, the input is then reported as past it
    with pytest.raises(InputError, match="took longer than 5 s"):
        with budget.limit(5.0, "in.txt"):
            extract_facts(a)
