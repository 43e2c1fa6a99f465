"""Runs the stages in order, incrementally, over a store.

    inputs -> extract (+clean, metadata) -> facts      (pure, per input; may run in workers)
           -> dedup -> stories                          (stateful, in the main process)
           -> store                                     (one transaction per input)
    finish: stories/storylines/entities/briefs recomputed from the state and written.

The dedup and story state is checkpointed in the store with the sequence number of the last
article it covers; on the next run articles stored after the checkpoint are replayed into the
state first, so a crash mid-batch never leaves a stored article outside the clustering.
Several processes may write one store at once: each input is placed and stored, and stories
are recomputed, with the store held for writing after what the others stored is placed first.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from marsad import budget
from marsad.briefs import add_briefs
from marsad.budget import DEFAULT_TIME_LIMIT
from marsad.errors import InputError, MarsadError, StateVersionError
from marsad.facts.entities import entity_names, link_facts
from marsad.facts.entities import link_entities as link_mentions
from marsad.model import Analysis, Article, Entity, Facts, RawDoc
from marsad.store import AnyStore, open_existing, open_store

if TYPE_CHECKING:
    from marsad.dedup import DedupConfig, DedupFeatures
    from marsad.store.search import IndexEntry
    from marsad.stories import StoryConfig, StoryFeatures

DEDUP_STATE = "dedup"
STORIES_STATE = "stories"
# Checkpoint the incremental state every this many stored articles (and at the end). Saving
# writes the whole state (docs/STATE.md); 500 kept the overhead under 2% of the ANT run while
# bounding replay.
CHECKPOINT_EVERY = 500


@dataclass
class IngestReport:
    """What one ``Pipeline.ingest`` call did."""

    inputs: int = 0
    stored: list[str] = field(default_factory=list)  # ids of newly stored articles
    skipped: int = 0  # inputs or articles already in the store
    errors: list[InputError] = field(default_factory=list)

    def merge(self, other: "IngestReport") -> None:
        self.inputs += other.inputs
        self.stored += other.stored
        self.skipped += other.skipped
        self.errors += other.errors


def input_key(raw: RawDoc) -> str:
    """Identity of an input: where it came from and exactly what it held."""
    h = hashlib.sha1()
    h.update(raw.origin.encode("utf-8", "surrogatepass"))
    h.update(b"\0" + raw.kind.encode())
    h.update(b"\0" + raw.text.encode("utf-8", "surrogatepass"))
    h.update(b"\0" + raw.html.encode("utf-8", "surrogatepass"))
    h.update(b"\0" + json.dumps(raw.fields, ensure_ascii=False, sort_keys=True, default=str).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class FeatureSpec:
    """Which per-article features of the stateful stages ``process_input`` computes: those
    of deduplication with ``dedup`` and of story placement with ``stories`` (their settings),
    the lead's sentence embedding when ``embed``. Sent to the workers with each input."""

    dedup: DedupConfig
    stories: StoryConfig
    embed: bool = True


@dataclass(frozen=True)
class ArticleFeatures:
    """An article's features for deduplication and story placement (``process_input``), and
    its search-index entry (``marsad.store.search.index_entry``: its terms and their offsets,
    read from the analysed document, and its facts' mention keys), which the store then
    writes as given instead of analysing the text again while it is held."""

    dedup: DedupFeatures
    stories: StoryFeatures
    index: IndexEntry | None = None


def process_input(raw: RawDoc, with_facts: bool = True, time_limit: float | None = DEFAULT_TIME_LIMIT,
                  features: FeatureSpec | None = None,
                  ) -> list[tuple[Article, Facts]] | list[tuple[Article, Facts, ArticleFeatures]] | InputError:
    """The pure part of the pipeline for one input: extraction, cleaning, metadata, facts
    and, with a ``features`` spec, each article's ``ArticleFeatures`` (then the items are
    (article, facts, features) triples; the articles of one input have their leads embedded
    in one call). Each article is analysed once (``marsad.analysed.AnalysedDoc``) for all of
    them. Returns an InputError instead of raising, so a worker pool never dies on bad input;
    one that runs past ``time_limit`` seconds (None: no limit) is stopped and is an InputError
    too ("took longer than N s", see marsad.budget)."""
    if time_limit and with_facts:
        _load_models()  # a fresh process's model loading is not charged to its first input
    if time_limit and features is not None:
        _load_feature_models(features)
    try:
        with budget.limit(time_limit, raw.origin):
            return _process_input(raw, with_facts, features)
    except InputError as exc:
        return exc


def process_inputs(raws: list[RawDoc], with_facts: bool = True,
                   time_limit: float | None = DEFAULT_TIME_LIMIT, features: FeatureSpec | None = None,
                   ) -> list[list[tuple] | InputError]:
    """``process_input`` of each of ``raws`` (the same results, in order), the facts of all
    their articles extracted in one ``extract_facts_many`` call, so that the entity tagger
    reads the sentences of many inputs at once (one ANT record is one input of one article:
    alone, the tagger sees one article at a time). Extraction and features stay per input,
    each under its own ``time_limit``; the facts run under what the inputs left of theirs
    together, at most one ``time_limit``. Should the facts of the chunk fail or run out of
    that time, each of its inputs is analysed again alone (``process_input``), which names the
    one that fails and keeps the others; so is an input whose features run past what it has
    left."""
    if len(raws) < 2 or not with_facts:
        return [process_input(raw, with_facts, time_limit, features) for raw in raws]
    if time_limit:
        _load_models()  # as in process_input: loading is charged to no input
        if features is not None:
            _load_feature_models(features)
    results: list = [None] * len(raws)
    spent = [0.0] * len(raws)  # seconds of its limit each input used in extraction
    pending: list[tuple[int, list[Article], list]] = []  # inputs whose facts are still to come
    for i, raw in enumerate(raws):
        try:
            with budget.limit(time_limit, raw.origin) as deadline:
                got = _extract(raw)
                spent[i] = time.monotonic() - deadline.started
        except InputError as exc:
            got = exc
        if isinstance(got, InputError):
            results[i] = got
        else:
            pending.append((i, *got))
    articles = [a for _, arts, _ in pending for a in arts]
    docs = [d for _, _, ds in pending for d in ds]
    # The chunk's facts run within one input's limit at most (not the inputs' limits added up),
    # so a runaway input holds its worker for about two limits before it runs alone, under its own.
    left = (max(1e-6, min(time_limit, sum(time_limit - spent[i] for i, _, _ in pending)))
            if time_limit else None)
    try:
        with budget.limit(left, "") as deadline:
            from marsad.facts import extract_facts_many

            facts = extract_facts_many(articles, docs)
            took = time.monotonic() - deadline.started
    except Exception:  # noqa: BLE001 -- failed or out of time (InputError): each input alone
        for i, _, _ in pending:
            results[i] = process_input(raws[i], with_facts, time_limit, features)
        return results
    k = 0
    for i, arts, ds in pending:
        fs, k = facts[k:k + len(arts)], k + len(arts)
        out = list(zip(arts, fs))
        if features is None:
            results[i] = out
            continue
        share = took * len(arts) / max(1, len(articles))  # its part of the facts' time
        try:
            with budget.limit(max(1e-6, time_limit - spent[i] - share) if time_limit else None,
                              raws[i].origin):
                budget.check()
                results[i] = [(a, f, feats) for (a, f), feats in zip(out, _features(arts, ds, fs, features))]
        except InputError:  # past what it had left: alone, as process_input would have it
            results[i] = process_input(raws[i], with_facts, time_limit, features)
    return results


def _extract(raw: RawDoc) -> tuple[list[Article], list] | InputError:
    """The articles of one input and their analysed documents, or its InputError (the
    extraction step of ``_process_input``)."""
    from marsad.analysed import AnalysedDoc
    from marsad.ingest import extract_articles

    budget.check()  # a request whose time ran out before this input reached it
    try:
        articles = extract_articles(raw)
    except InputError as exc:
        return exc
    except Exception as exc:  # an extractor bug must not stop the batch; report it by input
        return InputError(raw.origin, f"could not be extracted ({type(exc).__name__}: {exc})")
    return articles, [AnalysedDoc.of(article) for article in articles]


_MODELS_LOADED = threading.Event()


def _load_models() -> None:
    """Load what the facts stage reads (entity tagger, lexicons) once per process, by running
    it on one sentence; about 2 s, else spent inside the first input's time budget."""
    if _MODELS_LOADED.is_set():
        return
    from marsad.facts import extract_facts

    try:
        extract_facts(Article(id="warm-up", origin="warm-up",
                              text="قال وزير الداخلية سليم الحداد إن 3 أشخاص قتلوا في انفجار بالعاصمة."))
    except Exception:  # noqa: BLE001 -- only a head start; the real input reports its errors
        pass
    _MODELS_LOADED.set()


_FEATURE_MODELS_LOADED = threading.Event()


def _load_feature_models(spec: FeatureSpec) -> None:
    """Load what the features read (word counts, places and, with embeddings, the sentence
    encoder: ~4 s) once per process, outside the first input's time budget."""
    if _FEATURE_MODELS_LOADED.is_set():
        return
    from marsad.stories import StoryClusterer

    try:
        StoryClusterer(use_embeddings=spec.embed, config=spec.stories).warm_up()
    except Exception:  # noqa: BLE001 -- only a head start; the real use reports errors
        pass
    _FEATURE_MODELS_LOADED.set()


def _process_input(raw: RawDoc, with_facts: bool, spec: FeatureSpec | None = None,
                   ) -> list[tuple[Article, Facts]] | list[tuple[Article, Facts, ArticleFeatures]] | InputError:
    got = _extract(raw)
    if isinstance(got, InputError):
        return got
    articles, docs = got
    facts = [Facts() for _ in articles]
    if with_facts:
        budget.check()
        try:
            from marsad.facts import extract_facts_many

            # (the entity tagger reads the sentences of many of the input's articles at once)
            facts = extract_facts_many(articles, docs)
        except Exception as exc:  # facts are best-effort per article; the article still counts
            return InputError(raw.origin, f"fact extraction failed ({type(exc).__name__}: {exc})")
    out = list(zip(articles, facts))
    if spec is None:
        return out
    budget.check()
    return [(a, f, feats) for (a, f), feats in zip(out, _features(articles, docs, facts, spec))]


def _features(articles: list[Article], docs: list, facts: list[Facts], spec: FeatureSpec) -> list[ArticleFeatures]:
    from marsad.dedup import article_features as dedup_features
    from marsad.store.search import index_entry
    from marsad.stories import article_features_many as story_features

    try:
        stories = story_features(articles, spec.stories, docs, embed=spec.embed)
    except MarsadError:  # no sentence encoder here: placing the articles says so, as before
        stories = story_features(articles, spec.stories, docs, embed=False)
    return [ArticleFeatures(dedup_features(a, spec.dedup, d), st, index_entry(a, f, d))
            for a, d, f, st in zip(articles, docs, facts, stories)]


# Inputs one worker task (a process-pool task or a Dask task) analyses together
# (``process_inputs``): the entity tagger then reads the sentences of up to this many inputs at
# once, and the fixed cost of a task (serialising, bookkeeping, a round trip) is shared. Measured
# on 300 ANT articles (Feb-Mar 2018) on Dask with one input a task: the main process spent 6.7 s
# of CPU against 3.7 s with the process pool, and a second LocalCluster worker added nothing;
# with 8, 4.5 s and x1.21 from one worker to two.
CHUNK = 8


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """``items`` in lists of ``size`` (the last one shorter), read lazily."""
    it = iter(items)
    while group := list(islice(it, size)):
        yield group


def _worker_failure(raw: RawDoc, exc: BaseException) -> InputError:
    if isinstance(exc, BrokenProcessPool):
        return InputError(raw.origin, "the worker process analysing it died (out of memory or "
                                      "crashed); the rest of the batch was analysed")
    return InputError(raw.origin, f"could not be analysed in a worker process "
                                  f"({type(exc).__name__}: {exc})")


def run_in_workers(raws: Iterable[RawDoc], workers: int, with_facts: bool = True,
                   window: int = 0, started: Callable[[], None] | None = None,
                   time_limit: float | None = DEFAULT_TIME_LIMIT, features: FeatureSpec | None = None,
                   chunk: int = CHUNK) -> Iterator[list[tuple] | InputError]:
    """``process_input`` over ``raws`` in ``workers`` processes (with the ``features`` spec:
    the articles' features computed there too), results in input order. Each task analyses
    up to ``chunk`` inputs together (``process_inputs``: the same results).

    Whatever goes wrong in a worker comes back as an ``InputError`` for that input alone: a
    task that raises or whose result cannot be pickled has its inputs run again one at a time,
    each alone in a fresh single-worker pool, where the failure is reported for its input; a
    worker that dies (killed, out of memory, crashed) breaks the whole pool, so the tasks then
    in flight are run again one at a time in a fresh single-worker pool, the inputs of one
    that kills its worker there again one at a time, which names the input that does, and the
    batch goes on in a new pool. At most ``window`` inputs (default two tasks a worker: one
    running, one queued) are in flight, so memory stays bounded however long the batch.
    ``started()`` is called once the first inputs are handed to the workers (their processes
    exist by then).
    """
    chunk = max(1, min(chunk, window // workers)) if window else max(1, chunk)
    tasks = max(1, window // chunk) if window else 2 * workers
    groups = chunked(raws, chunk)
    pool = ProcessPoolExecutor(max_workers=workers)
    pending: deque[tuple[list[RawDoc], Future]] = deque()

    def fill() -> None:
        while len(pending) < tasks:
            group = next(groups, None)
            if group is None:
                return
            pending.append((group, _submit(pool, group, with_facts, time_limit, features)))

    try:
        while True:
            fill()
            if started is not None:
                started()
                started = None
            if not pending:
                pool.shutdown(wait=True)
                return
            group, fut = pending.popleft()
            try:
                results = fut.result()
            except BrokenProcessPool:
                results = None
            except Exception:  # noqa: BLE001 -- e.g. a result that cannot be pickled: whose?
                fill()
                for raw in group:
                    yield _run_isolated(raw, with_facts, time_limit, features)
                continue
            if results is not None:
                fill()  # the workers go on while this process takes the results
                yield from results
                continue
            # The pool is broken: every task still in it is retried alone.
            pool.shutdown(wait=False, cancel_futures=True)
            again = [group] + [g for g, _ in pending]
            pending.clear()
            for g in again:
                yield from _run_isolated_chunk(g, with_facts, time_limit, features)
            pool = ProcessPoolExecutor(max_workers=workers)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, group: list[RawDoc], with_facts: bool, time_limit: float | None,
            features: FeatureSpec | None = None) -> Future:
    try:
        return pool.submit(process_inputs, group, with_facts, time_limit, features)
    except BrokenProcessPool as exc:  # broken by an earlier input: reported when this one's turn comes
        fut: Future = Future()
        fut.set_exception(exc)
        return fut


def _run_isolated_chunk(group: list[RawDoc], with_facts: bool, time_limit: float | None,
                        features: FeatureSpec | None = None) -> list[list[tuple] | InputError]:
    """The inputs of a task that was in a pool when it broke: together in a pool of their
    own, then, should that fail too, each alone (naming the one that fails)."""
    if len(group) > 1:
        with ProcessPoolExecutor(max_workers=1) as solo:
            try:
                return solo.submit(process_inputs, group, with_facts, time_limit, features).result()
            except Exception:  # noqa: BLE001 -- whose it is, below
                pass
    return [_run_isolated(raw, with_facts, time_limit, features) for raw in group]


def _run_isolated(raw: RawDoc, with_facts: bool, time_limit: float | None,
                  features: FeatureSpec | None = None) -> list[tuple] | InputError:
    with ProcessPoolExecutor(max_workers=1) as solo:
        try:
            return solo.submit(process_input, raw, with_facts, time_limit, features).result()
        except Exception as exc:  # noqa: BLE001 -- reported for this input alone
            return _worker_failure(raw, exc)


class Pipeline:
    """The incremental pipeline over one store.

    ``use_embeddings`` turns on sentence embeddings in story clustering (slower, better);
    ``with_facts`` turns fact extraction on; ``workers`` > 1 runs extraction and facts in
    that many processes (dedup, clustering and storing stay in this process, in input order);
    ``time_limit``: seconds one input may take in extraction and facts (None: no limit), past
    which it is reported as an InputError and the batch goes on; ``dask``: a Dask scheduler
    address or ``local:N`` that runs extraction and facts instead of ``workers``
    (see marsad.dask_runner; the result is the same). ``dedup_config`` and ``story_config``
    (``DedupConfig``, ``StoryConfig``) are the stages' settings: None takes the ones the
    store's saved state was built with (the defaults for a new store); a given one that differs
    from the saved state's is a MarsadError (docs/STATE.md).
    """

    def __init__(self, store: AnyStore, use_embeddings: bool = True, with_facts: bool = True,
                 workers: int = 1, time_limit: float | None = DEFAULT_TIME_LIMIT,
                 dask: str | None = None, dedup_config: DedupConfig | None = None,
                 story_config: StoryConfig | None = None):
        store.check_writable()
        self.store = store
        self.dedup_config = dedup_config
        self.story_config = story_config
        self.with_facts = with_facts
        self.workers = max(1, workers)
        self.dask = dask
        self.time_limit = time_limit  # seconds one input may take in extraction and facts
        self.use_embeddings = use_embeddings
        with store.writing():
            self._load_state()

    # -- stateful stages ------------------------------------------------------------------
    # Several processes may write one store. The state here always covers exactly the
    # articles stored up to ``self._seq``; every change to it and to the store happens with
    # the store held for writing (``_writing``), after placing what other writers stored
    # since, so every process's state is the one a single run over the articles in stored
    # order would have.
    def _load_state(self) -> None:
        """The dedup and story state from the store's checkpoint, then the articles stored
        after it replayed (call with the store held for writing)."""
        from marsad.dedup import Deduper
        from marsad.stories import StoryClusterer

        saved = self.store.load_states([DEDUP_STATE, STORIES_STATE])
        dedup, stories = saved.get(DEDUP_STATE), saved.get(STORIES_STATE)
        self.deduper = Deduper(config=self.dedup_config)
        self.clusterer = StoryClusterer(use_embeddings=self.use_embeddings, config=self.story_config)
        self._seq = 0
        if dedup and stories and dedup[0] == stories[0]:
            try:
                deduper = Deduper.from_state(dedup[1], self.dedup_config)
                clusterer = StoryClusterer.from_state(stories[1], self.story_config)
            except StateVersionError:
                # Written by another marsad in an older state format (or a newer one): the
                # state is rebuilt from the stored articles below, as one run over them would
                # have built it, and the next checkpoint is saved in this version's format.
                deduper = clusterer = None
            # A checkpoint covers every article stored up to its number and no other; one that
            # does not (stamped with rows its writer had not seen) is dropped and the state
            # rebuilt from the stored articles.
            if deduper is not None and len(deduper) == self.store.count_articles(upto_seq=dedup[0]):
                self.deduper, self.clusterer = deduper, clusterer
                self._seq = dedup[0]
        self.clusterer.use_embeddings = self.use_embeddings
        self._saved_seq = self._seq
        self._stale = False
        self._since_checkpoint = 0
        if self._catch_up():
            self.checkpoint()

    def _catch_up(self) -> int:
        """Place the articles stored (by other writers) after the last one this state covers;
        returns how many (call with the store held for writing)."""
        n = 0
        for article in self.store.articles(after_seq=self._seq):
            self._place(article, replay=True)
            n += 1
        if n:
            self._seq = self.store.max_seq()
            self._since_checkpoint += n
        return n

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the store for writing, with the state brought up to what is stored. When the
        block fails, what it placed may not have been stored: the state is reloaded from the
        store the next time."""
        began = False
        try:
            with self.store.writing():
                began = True
                if self._stale:
                    self._load_state()
                else:
                    self._catch_up()
                yield
        except BaseException:
            if began:
                self._stale = True
            raise

    def _place(self, article: Article, replay: bool = False, features: ArticleFeatures | None = None) -> None:
        """Dedup and cluster one article (sets duplicate_of and story); ``features``: its
        features from ``process_input`` (computed here when None)."""
        dedup, stories = (None, None) if features is None else (features.dedup, features.stories)
        if not replay or article.duplicate_of is None:
            article.duplicate_of = self.deduper.add(article, dedup).duplicate_of
        else:
            self.deduper.add(article, dedup)
        article.story = self.clusterer.add(article, stories)

    def checkpoint(self) -> None:
        """Save the dedup and story state, stamped with the last article it covers."""
        if self._stale or self._seq == self._saved_seq:
            return  # a state that may hold unstored articles is never saved; nothing new
        self.store.save_states({DEDUP_STATE: self.deduper.state(), STORIES_STATE: self.clusterer.state()},
                               self._seq)
        self._saved_seq = self._seq
        self._since_checkpoint = 0

    # -- ingest ---------------------------------------------------------------------------
    def ingest(self, raws: Iterable[RawDoc | InputError],
               progress: Callable[[int], None] | None = None) -> IngestReport:
        """Run every input through the pipeline and store it; bad inputs are reported in
        ``errors`` and the rest still processed. ``progress(n)`` is called as inputs finish."""
        report = IngestReport()
        todo: list[tuple[str, RawDoc]] = []
        for raw in raws:
            report.inputs += 1
            if isinstance(raw, InputError):
                report.errors.append(raw)
                if progress:
                    progress(1)
                continue
            key = input_key(raw)
            if self.store.has_input(key):
                report.skipped += 1
                if progress:
                    progress(1)
                continue
            todo.append((key, raw))
        for (key, raw), result in zip(todo, self._run(raw for _, raw in todo)):
            if isinstance(result, InputError):
                report.errors.append(result)
            else:
                self._store_input(key, raw, result, report)
            if progress:
                progress(1)
        self.checkpoint()
        return report

    def feature_spec(self) -> FeatureSpec:
        """What the workers compute for the stateful stages: their features with the settings
        of this pipeline's state, and the lead embeddings when they run in other processes
        (worker processes or Dask). In one process the encoder runs only for the articles that
        placing compares with a story (672 of 2,000 ANT Feb-Mar articles, at ~5 ms each):
        embedding all of them ahead would only add work there."""
        embed = self.use_embeddings and (self.workers > 1 or bool(self.dask))
        return FeatureSpec(self.deduper.config, self.clusterer.config, embed)

    def _run(self, raws: Iterator[RawDoc]) -> Iterator[list[tuple[Article, Facts, ArticleFeatures]] | InputError]:
        spec = self.feature_spec()
        if self.dask:
            from marsad.dask_runner import client_for, run_on_dask

            with client_for(self.dask) as client:
                yield from run_on_dask(raws, client, self.with_facts, self.time_limit, features=spec)
            return
        if self.workers == 1:
            for raw in raws:
                yield process_input(raw, self.with_facts, self.time_limit, spec)
            return
        # While the workers read their first inputs this process loads what placing articles
        # needs. On 1,000 ANT articles with 2 workers this hid ~3 s of model loading (the encoder
        # alone ~4 s) behind the wait for the first results. Started only once the worker
        # processes exist (they are forked), joined before the first article is placed.
        warm: list[threading.Thread] = []

        def start_warm_up() -> None:
            warm.append(threading.Thread(target=self._warm_up, name="marsad-warm-up", daemon=True))
            warm[0].start()

        try:
            for result in run_in_workers(raws, self.workers, self.with_facts, started=start_warm_up,
                                         time_limit=self.time_limit, features=spec):
                while warm:
                    warm.pop().join()
                yield result
        finally:
            while warm:
                warm.pop().join()

    def _warm_up(self) -> None:
        try:
            # not the sentence encoder: the workers embed the leads (it loads here if ever needed)
            self.clusterer.warm_up(encoder=False)
        except Exception:  # noqa: BLE001 -- only a head start; the real use reports errors
            pass

    def _store_input(self, key: str, raw: RawDoc, items: list[tuple[Article, Facts, ArticleFeatures]],
                     report: IngestReport) -> None:
        fresh, skipped = [], 0
        entries: dict[str, IndexEntry] = {}
        with self._writing():
            for article, facts, *features in items:
                if self.store.has_article(article.id) or any(a.id == article.id for a, _ in fresh):
                    skipped += 1
                    continue
                self._place(article, features=features[0] if features else None)
                fresh.append((article, facts))
                if features and features[0].index is not None:
                    entries[article.id] = features[0].index
            self.store.add_inputs([(key, raw.origin, fresh)], entries=entries)
            if fresh:
                self._seq = self.store.max_seq()
                self._since_checkpoint += len(fresh)
            if self._since_checkpoint >= CHECKPOINT_EVERY:
                self.checkpoint()
        report.stored += [a.id for a, _ in fresh]
        report.skipped += skipped

    # -- derived views --------------------------------------------------------------------
    def finish(self) -> Analysis:
        """Recompute stories, storylines, entities and briefs from the state; store them.

        Runs with the store held for writing, after placing what other writers stored: the
        stories cover every stored article, and the articles' story ids and the new story rows
        are committed together."""
        with self._writing():
            stories = self.clusterer.stories()
            storylines = self.clusterer.storylines(stories)
            story_of = {aid: s.id for s in stories for aid in s.articles}
            articles = list(self.store.articles())
            moved: dict[str, str] = {}
            for a in articles:
                sid = story_of.get(a.id)
                if sid and a.story != sid:
                    a.story = moved[a.id] = sid
            self.store.set_article_stories(moved)
            facts = self.store.facts()
            analysis = Analysis(articles=articles, stories=stories, storylines=storylines, facts=facts)
            analysis.entities = link_entities(analysis)
            add_briefs(analysis)
            self.store.replace_derived(analysis.stories, analysis.storylines, analysis.entities,
                                       facts=analysis.facts)
        return analysis


def link_entities(analysis: Analysis) -> list[Entity]:
    """Cross-article entities from every article's mentions; sets the entity id of every
    mention, quote speaker, claimant, target claimant and event actor that names one (and
    clears it on those that no longer do). ``finish`` stores these links with the entities."""
    mentions = [m for f in analysis.facts.values() for m in f.mentions]
    entities = link_mentions(mentions)
    names = entity_names(entities)
    for f in analysis.facts.values():
        link_facts(f, names)
    return entities


def load_analysis(db: str | AnyStore) -> Analysis:
    """Everything a store holds, as an Analysis (for `marsad story`, the API and renders)."""
    store = open_existing(db) if isinstance(db, str) else db
    return Analysis(articles=list(store.articles()), stories=store.stories(),
                    storylines=store.storylines(), entities=store.entities(), facts=store.facts())


def analyze(paths: list[str], db: str = ":memory:", use_embeddings: bool = True,
            with_facts: bool = True, workers: int = 1,
            progress: Callable[[int], None] | None = None,
            time_limit: float | None = DEFAULT_TIME_LIMIT,
            dask: str | None = None, dedup_config: DedupConfig | None = None,
            story_config: StoryConfig | None = None) -> tuple[Analysis, IngestReport]:
    """Read ``paths``, run the whole pipeline into the store at ``db`` and return the result
    (``dedup_config``, ``story_config``: see ``Pipeline``)."""
    from marsad.ingest import read_inputs

    raws = list(read_inputs(paths))
    store = open_store(db)
    try:
        pipeline = Pipeline(store, use_embeddings=use_embeddings, with_facts=with_facts, workers=workers,
                            time_limit=time_limit, dask=dask, dedup_config=dedup_config,
                            story_config=story_config)
        report = pipeline.ingest(raws, progress=progress)
        return pipeline.finish(), report
    finally:
        store.close()
