"""Who said what: direct and indirect quotes with their speaker, role and channel.

``find_quotes(article, mentions)`` reads an article sentence by sentence and looks for speech
cues from ``lexicons/speech_verbs.txt``:

* a finite verb (وقال، أكد، أضاف، أشار إلى، شدد على، ورد، كتب، أعلن ...) followed by its subject
  — «وقال بيسكوف، في تصريحات أوردتها وكالة أنباء "تاس"، إن ...» — or with no subject at all
  («وأضاف: ...»), which continues the previous speaker;
* a circumstantial participle (مؤكدًا، مشددًا على أن، مضيفًا ...) that continues the subject of
  its sentence;
* a relay (نقلت وكالة إنترفاكس عن X قوله إن ...): the channel, then the speaker after «عن»;
* an attribution after the words (... حسبما نقلت صحيفة “لوفيجارو” عن المتحدث باسم ...، X);
* a quotation followed by its verb («...»، قال X).

The content runs from the introducer (إن، أن، بأن، إلى أن، على أن، «:», an opening quotation
mark) to the next cue of the sentence or its end. When quotation marks cover most of it the
quote is direct and its text is what stands between the marks (several sentences if so);
otherwise it is indirect and its text is the paraphrase.

Speakers are resolved to the full name the article gives: a short form («بيسكوف») or a bare
role («المتحدث باسم الكرملين») maps to the full name and role met anywhere in the article
(«المتحدث باسم الكرملين، دميتري بيسكوف»). Entity mentions from ``marsad.facts.entities`` are
used first when given; the pattern-based reading of titles and names below works without them.

Every quote's ``evidence`` spans from its cue to the end of its words, so
``article.text[start:end]`` always contains ``quote.text``.

The pieces live beside this module: the speech lexicon, the parsed article and its cues in
``marsad.facts.speech``; channels in ``marsad.facts.channels``; subjects, names and the
article's registry in ``marsad.facts.speakers``; completing a name in
``marsad.facts.speaker_names``; attributions written elsewhere than after the verb in
``marsad.facts.attribution``. ``prepare`` hands the claim reader the same parsed article.
"""

from __future__ import annotations

from dataclasses import dataclass

from marsad.analysed import AnalysedDoc
from marsad.facts.attribution import (ACCORDING, according_to, after_relative, cut_at_object, initial_subject,
                                      object_not_subject, post_attribution, prep_content, quote_then_verb,
                                      quotes_in, relay_attribution, says_by, subject_before)
from marsad.facts.channels import find_via
from marsad.facts.speaker_names import fullest_speaker, spell_out_pronoun, unnamed_speaker
from marsad.facts.speakers import (Known, Registry, Who, parse_subject, prepass, resolve, tidy_speaker,
                                   who_from_segments)
from marsad.facts.speech import (COLON_ONLY, DIRECT_SHARE, MIN_DIRECT_WORDS, MIN_INDIRECT_WORDS,
                                 MIN_PARAPHRASE_WORDS, POST_OPENERS, QuoteDoc, build_doc, find_cues, gap_has,
                                 norm_word as _n, word_count)
from marsad.model import Article, Evidence, Mention, Quote, Speaker


# Connectives that open the next clause, cut from the end of a paraphrase.
TRAILING_CONNECTIVES = ("في حين", "فيما", "بينما", "حيث", "كما", "وسط", "في وقت", "بعدما")


def _make_quote(doc: QuoteDoc, article: Article, speaker: Speaker, cue_start: int, c0: int, c1: int,
                via: list[str]) -> list[Quote]:
    """The quotes whose content is text[c0:c1]: one direct quote when quotation marks cover
    most of it; otherwise the paraphrase as an indirect quote (when long enough) and each
    quoted statement inside it as a direct quote («... أن عناصر الشرطة "لم يحملوا سوى ..."»)."""
    text = doc.text
    while c1 > c0 and (text[c1 - 1].isspace() or text[c1 - 1] in "،,.;؛:"):
        c1 -= 1
    # a connective left before the next clause's cue («...، في حين قالت منظمة ...»)
    for tail in TRAILING_CONNECTIVES:
        if text.endswith(tail, c0, c1) and (c1 - len(tail) == c0 or not text[c1 - len(tail) - 1].isalpha()):
            c1 -= len(tail)
            while c1 > c0 and (text[c1 - 1].isspace() or text[c1 - 1] in "،,;؛:"):
                c1 -= 1
            break
    while c0 < c1 and (text[c0].isspace() or text[c0] in ":،,"):
        c0 += 1
    for intro in ("إن ", "إنّ ", "أن ", "بأن "):
        if text.startswith(intro, c0):
            c0 += len(intro)
    if c1 <= c0:
        return []
    inside = doc.quotes_within(c0 - 1, c1 + 1)
    total = word_count(text[c0:c1])
    quoted = [q for q in inside if word_count(text[q[0] + 1:q[1]]) >= MIN_DIRECT_WORDS]
    qwords = sum(word_count(text[q[0] + 1:q[1]]) for q in quoted)
    if quoted and total and qwords / total >= DIRECT_SHARE:
        s, e = quoted[0][0] + 1, quoted[-1][1]
        body = text[s:e].strip()
        s = text.index(body, s) if body else s
        end = max(e + 1, c1)
        return [Quote(article.id, speaker, body, True, Evidence(article.id, min(cue_start, s), min(end, len(text))),
                      via)]
    out: list[Quote] = []
    if total >= MIN_INDIRECT_WORDS and (not quoted or total - qwords >= MIN_PARAPHRASE_WORDS):
        out.append(Quote(article.id, speaker, text[c0:c1], False, Evidence(article.id, min(cue_start, c0), c1),
                         list(via)))
    for q in quoted:
        body = text[q[0] + 1:q[1]].strip()
        s = text.index(body, q[0])
        out.append(Quote(article.id, speaker, body, True,
                         Evidence(article.id, min(cue_start, s), min(q[1] + 1, len(text))), list(via)))
    return out


@dataclass
class PreparedArticle:
    """An article as the quote and claim readers read it: its tokens, sentences and quotations
    (``build_doc``) and the names and roles the first pass found (``prepass``). The claim reader
    reads the same article with the same mentions right after the quote reader
    (``extract_facts``), and building this twice cost ~2 s of worker time per 1,000 ANT
    articles, so the caller builds it once (``prepare``) and hands it to both."""

    doc: QuoteDoc
    known: list[Known]

    def registry(self) -> Registry:
        """A registry of the names found, a copy each time: readers add names to theirs."""
        reg = Registry()
        reg.known = [Known(k.name, k.role, k.pos, k.entity) for k in self.known]
        return reg


def prepare(article: Article, mentions: list[Mention] | None,
            analysed: AnalysedDoc | None = None) -> PreparedArticle:
    """``build_doc`` and ``prepass`` of ``article`` with its entity ``mentions``."""
    doc = build_doc(article, list(mentions or []), analysed)
    return PreparedArticle(doc, [Known(k.name, k.role, k.pos, k.entity) for k in prepass(doc).known])


def find_quotes(article: Article, mentions: list[Mention] | None = None,
                doc: AnalysedDoc | None = None, prepared: PreparedArticle | None = None) -> list[Quote]:
    """Direct and indirect quotes of ``article`` (see the module doc); ``doc`` is its
    analysed document when already built (``marsad.analysed``), ``prepared`` its
    ``prepare(article, mentions, doc)`` when already built."""
    if not article.text:
        return []
    if prepared is None:
        prepared = prepare(article, mentions, doc)
    doc, reg = prepared.doc, prepared.registry()
    quotes: list[Quote] = []
    last: Speaker | None = None
    used_quotes: set[tuple[int, int]] = set()

    for s_idx, (lo, hi) in enumerate(doc.sent_bounds):
        if hi <= lo:
            continue
        cues = find_cues(doc, lo, hi)
        consumed_until = lo
        sent_speaker: Speaker | None = None
        pending: list[tuple[Speaker, int, int, list[str]]] = []  # speaker, cue start, content start, via
        ends: list[int] = []
        for ci, cue in enumerate(cues):
            i = cue.tok
            if i < consumed_until:
                continue
            tok = doc.tokens[i]
            # post-posed attribution: «... حسبما نقلت صحيفة X عن Y»
            if i > lo and (doc.tokens[i - 1].norm in POST_OPENERS or
                           (doc.tokens[i - 1].norm == "ما" and i - 2 >= lo and doc.tokens[i - 2].norm in POST_OPENERS)):
                opener = i - 1 if doc.tokens[i - 1].norm in POST_OPENERS else i - 2
                sp, via, stop = post_attribution(doc, reg, i, hi, cue.kind)
                consumed_until = stop
                if sp is not None and opener > lo:
                    c0 = doc.tokens[lo].start if not pending else pending[-1][2]
                    if not pending:
                        for q in _make_quote(doc, article, sp, c0, c0, doc.tokens[opener].start, via):
                            quotes.append(q)
                            used_quotes.update(quotes_in(doc, q))
                            last = sp
                    else:
                        ends.append(doc.tokens[opener].start)
                continue
            if cue.kind == "part":
                sub = parse_subject(doc, i + 1, hi)
                if sub.content is None and doc.tokens[i].norm not in (_n("قائلا"), _n("قائلة")):
                    continue
                if sub.segments and not sub.colon:
                    continue  # «مؤكدًا التزام ...»: an object, not a content
                sp = sent_speaker or initial_subject(doc, reg, lo, i)
                if sp is None:
                    continue
                content = sub.content if sub.content is not None else tok.end
                if pending:
                    ends.append(tok.start)
                pending.append((sp, tok.start, content, find_via(doc, sub.skipped, hi)))
                consumed_until = sub.stop
                continue
            if cue.kind == "relay":
                sp, via, content, stop = relay_attribution(doc, reg, i, hi)
                if sp is None or content is None:
                    continue
                if pending:
                    ends.append(tok.start)
                pending.append((sp, tok.start, content, via))
                sent_speaker = sp
                last = sp
                consumed_until = stop
                continue
            if cue.kind == "post" and i > lo:
                continue  # «حسبما أوردت ...» is read above; «وأوردت صحيفة X أن» opens its sentence
            if cue.kind == "deny":
                # «نفى المتحدث باسم ... X أي صلة ...»: no quote, but X is who speaks next
                sub = parse_subject(doc, i + 1, hi)
                segs = [cut_at_object(doc, a, b) for a, b in sub.segments[:2]]
                who = who_from_segments(doc, [sg for sg in segs if sg[1] > sg[0]])
                if who is not None and who.name:
                    sp = resolve(doc, reg, who, tok.start)
                    if sp is not None:
                        sent_speaker = sp
                        last = sp
                continue
            # a finite speech verb
            sub = parse_subject(doc, i + 1, hi)
            who = who_from_segments(doc, sub.segments)
            speaker: Speaker | None = None
            pre = subject_before(doc, reg, i, lo) if (who is None or after_relative(doc, i, lo)) else None
            if pre is not None:
                speaker = pre
                who = who or Who(pre.name, pre.role)
            elif who is not None:
                speaker = resolve(doc, reg, who, tok.start)
            if (who is not None and not who.is_person and (i == lo or gap_has(doc.gaps[i], "،,"))
                    and last is not None and object_not_subject(doc, reg, i, sub, last)):
                # «ودعا المجتمع الدولي إلى ...، لافتا إلى أن»: the verb's object; its subject is
                # the speaker of the sentences before
                speaker, who = last, Who(last.name, last.role, None, True)
            if speaker is not None and who is not None:
                sent_speaker = speaker
            if doc.tokens[i].norm in COLON_ONLY and not sub.colon and not says_by(doc, i, sub.stop):
                if speaker is not None and who is not None and who.is_person:
                    last = speaker  # «ورد ترامب على الاتهامات ...، وقال في تغريدة»: he speaks next
                continue
            if sub.content is None and (speaker is not None or last is not None):
                # «دعا ... إلى»، «أكد على»، «أعرب عن»، «حذر من»، «اتهم ... بـ»: what follows
                # the verb's own preposition is what was said
                sub.content = prep_content(doc, i, sub)
            if sub.content is None:
                if speaker is not None and who is not None and who.is_person:
                    last = speaker
                elif speaker is not None and who is None:
                    last = speaker
                continue
            if speaker is None and who is None:
                # «واختار بن سالم مدينة ...، حيث قال إن»: the sentence's own subject first
                init = initial_subject(doc, reg, lo, i, persons_only=True)
                speaker = init or last
            if speaker is None:
                continue
            if pending:
                ends.append(tok.start)
            pending.append((speaker, tok.start, sub.content, find_via(doc, sub.skipped, hi)))
            sent_speaker = speaker
            last = speaker
            consumed_until = sub.stop
        sent_end = doc.tokens[hi - 1].end
        # a quotation running past the last token (closing mark after the full stop)
        q = doc.quote_at(sent_end - 1)
        if q is not None:
            sent_end = max(sent_end, q[1] + 1)
        ends.append(sent_end)
        for (sp, cstart, c0, via), c1 in zip(pending, ends):
            for q in _make_quote(doc, article, sp, cstart, c0, c1, via):
                quotes.append(q)
                used_quotes.update(quotes_in(doc, q))
        # «...»، قال X: a quotation followed by its verb
        if not pending:
            q = None if doc.tokens[lo].norm in ACCORDING and not cues else \
                quote_then_verb(doc, article, reg, lo, hi, used_quotes)
            if q is not None:
                quotes.append(q)
                used_quotes.update(quotes_in(doc, q))
                last = q.speaker
            elif not cues or doc.tokens[lo].norm in (_n("جاء"), _n("وجاء")):
                # «وبحسب X، فإن ...»، «...، وفق المرصد»: attributed with no speech verb
                acc = according_to(doc, reg, lo, hi)
                if acc is not None:
                    sp, c0, c1, cue_start = acc
                    for q in _make_quote(doc, article, sp, cue_start, c0, c1, []):
                        quotes.append(q)
                        used_quotes.update(quotes_in(doc, q))
    tidy: dict[int, Speaker] = {}
    prev: Speaker | None = None
    for q in quotes:
        if id(q.speaker) not in tidy:
            sp = unnamed_speaker(tidy_speaker(spell_out_pronoun(doc, q.speaker, q.evidence.start)))
            tidy[id(q.speaker)] = unnamed_speaker(fullest_speaker(doc, reg, sp, q.evidence.start, prev))
        q.speaker = tidy[id(q.speaker)]
        prev = q.speaker
    return quotes
