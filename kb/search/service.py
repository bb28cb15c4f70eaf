"""The search service: what the API, the web pages and the CLI call.

Example:
    >>> service = SearchService(IndexStore(settings.index_dir), graph)
    >>> result = service.search("piggyback on another state's contract",
    ...                         SearchFilters(kinds=("lesson",)), first=5)
    >>> [(hit.kind, hit.id) for hit in result.hits][:1]
    [('lesson', 'L-0034')]
    >>> service.related("practice", "handling-bid-protests", first=3)
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from whoosh import query as wq
from whoosh import sorting

from kb.graph.db import DatabaseUnavailableError, Graph, QueryError
from kb.graph.presence import existing_keys
from kb.graph.search_docs import INDEXED_LABELS, neighbours
from kb.graph.search_entities import eligible_contract_ids, entity_names
from kb.search import inflections, ranking
from kb.search.documents import uid
from kb.search.hits import Candidate, Marker
from kb.search.intent import Intent, Lexicon, read_intent
from kb.search.matchsets import bitmap, docnums
from kb.search.querying import (
    Concept,
    ParsedQuery,
    SearchInputError,
    check_query,
    parse_query,
)
from kb.search.results import (
    DEFAULT_PAGE,
    MAX_PAGE,
    FacetCount,
    Hit,
    RelatedItem,
    SearchFilters,
    SearchResult,
    decode_cursor,
    encode_cursor,
)
from kb.search.schema import FACETS, META_KIND, NO_VALUE, TEXT_FIELDS
from kb.search.scoring import UnsupportedQueryError, mask_of, top_documents
from kb.search.searchers import SearcherPool, SnapshotCaches
from kb.search.semantic import word_vectors
from kb.search.spelling import Speller
from kb.search.store import IndexStore
from kb.search.synonyms import Thesaurus, default_thesaurus, with_record_acronyms

log = logging.getLogger(__name__)

#: Fields whose matches are shown, in this order.
HIGHLIGHT_FIELDS = ("title", "summary", "body", "tags")
#: Share of text similarity (the rest is graph proximity) in related items.
TEXT_WEIGHT = 0.6
#: Seconds the names of states, categories, alliances and contracts are kept before
#: they are read from the graph again.
LEXICON_TTL = 60.0

_MASK = wq.Term("kind", META_KIND)
#: Index kind -> graph label.
_LABELS = {kind: label for label, kind in INDEXED_LABELS.items()}


class SearchService:
    """Full-text search over practices, lessons and contracts.

    Args:
        store: the index directory (kept current by :class:`kb.search.indexer.Indexer`).
        graph: for the graph half of :meth:`related`; text similarity only when None.
        thesaurus: synonyms and acronyms (default: compiled from the glossary,
            ``kb/domain/glossary.yaml``).
    """

    def __init__(
        self, store: IndexStore, graph: Graph | None = None, thesaurus: Thesaurus | None = None
    ) -> None:
        self.store = store
        self.graph = graph
        self.thesaurus = thesaurus or default_thesaurus()
        self.searchers = SearcherPool(store)
        #: Score with numpy vectors (kb.search.scoring) rather than Whoosh's matchers;
        #: off only to compare the two (same answers, tests/search/test_scoring.py).
        self.vectors = True
        self._lexicon: tuple[float, Lexicon] | None = None
        self._lexicon_lock = threading.Lock()
        #: The thesaurus's phrases in each text field, matched by each new segment.
        self._phrases: tuple[list[wq.Phrase], int] | None = None
        #: Called with {label: [ids]} when a page of hits names nodes the graph no longer
        #: has (the runtime removes their documents from the index with it).
        self.on_missing: list[Callable[[dict[str, list[str]]], object]] = []

    def close(self) -> None:
        """Close the searchers this service keeps open (those in use, once done)."""
        self.searchers.close()

    def warm(self) -> bool:
        """Open the newest index snapshot, read what its searches need, then let
        searches use it (:meth:`SearcherPool.advance`); False if it was in use already.

        The search runtime calls it at start and after each commit of its indexer, in
        the indexer's thread: every segment's posting arrays and field lengths are read
        whole and the speller's vocabulary is built, so that the first run of a query on
        a new snapshot costs what a repeat does. The thesaurus's phrases are matched too,
        in each segment that has not matched them yet (kept by the segment, as the bitmaps
        of terms and the documents' keys are: after a commit only the new segment is
        read and matched), and the dictionary of word forms and the word vectors are read
        (once). Until it is first called, searches open the newest snapshot on disk
        themselves and read what they need lazily.
        """
        return self.searchers.advance(self._prepare)

    def _prepare(self, searcher: Any, caches: SnapshotCaches) -> None:
        Speller.of(searcher)
        inflections.load()  # once per process; a no-op after
        word_vectors()  # likewise
        if self._phrases is None:
            phrases = {a for group in self.thesaurus.groups for a in group if len(a) > 1}
            queries = [wq.Phrase(name, list(t)) for t in sorted(phrases) for name in TEXT_FIELDS]
            self._phrases = (queries, hash(tuple(repr(q) for q in queries)))
        caches.vectors.match_phrases(searcher, *self._phrases)

    def search(
        self,
        query: str | None,
        filters: SearchFilters | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> SearchResult:
        """Ranked hits for ``query`` with highlights, facet counts and a suggestion.

        A blank query (or ``*``) lists everything the filters allow, newest first.
        Raises :class:`SearchInputError` for input that cannot be searched.
        """
        text = check_query(query)
        if not 1 <= first <= MAX_PAGE:
            raise SearchInputError(f"first={first} is out of range; expected 1..{MAX_PAGE}")
        offset = decode_cursor(after)
        filters = (filters or SearchFilters()).normalised()
        with self.searchers.searcher() as searcher:
            return self._search(searcher, text, filters, first, offset)

    def plan(self, searcher: Any, text: str) -> tuple[ParsedQuery, ranking.Plan | None]:
        """How ``text`` is read and what it matches (None: nothing can match)."""
        speller = Speller.of(searcher)
        thesaurus = with_record_acronyms(self.thesaurus, searcher, text)
        parsed = parse_query(
            text, thesaurus, speller.knows, speller.correct, speller.indexed, _english
        )
        if parsed.matches_nothing:
            return parsed, None
        intent = read_intent(text, self.lexicon()) if parsed.should else Intent()
        sets = self.searchers.match_sets(searcher)

        def frequency(concept: Concept) -> int:
            # A synonym group is as rare as its commonest phrase (as Lucene's SynonymQuery
            # counts it), not as the union: a wide group must not make a rare typed
            # acronym count for little. Posting lists still hold deleted documents.
            live = sets.everything()
            parts = [replace(concept, alternatives=(a,)) for a in concept.alternatives]
            return max((sets.docs(searcher, p.to_query()) & live).bit_count() for p in parts)

        return parsed, ranking.plan(searcher, parsed, intent, self._eligible(intent), frequency)

    def _search(
        self, searcher: Any, text: str, filters: SearchFilters, first: int, offset: int
    ) -> SearchResult:
        parsed, plan = self.plan(searcher, text)
        if plan is None:
            return SearchResult(query=text, hits=(), total=0, suggestion=parsed.corrected)
        # Totals and facets from bitmaps (kb.search.matchsets): exact, and the ranked
        # search below then only needs its top candidates, so Whoosh may skip weak blocks.
        sets = self.searchers.match_sets(searcher)
        allowed = sets.everything() & ~sets.term(searcher, "kind", META_KIND)
        options: dict[str, Any] = {
            "limit": max(offset + first, ranking.CANDIDATES),
            "mask": _MASK,
        }
        dimensions = filters.dimensions()
        if dimensions:
            for name, values in dimensions.items():
                any_of = 0
                for value in values:
                    any_of |= sets.term(searcher, name, value)
                allowed &= any_of
            options["filter"] = set(docnums(allowed))
        if not parsed.ranked:
            options["sortedby"] = sorting.FieldFacet("date", reverse=True)
        matches = sets.docs(searcher, plan.query) & allowed
        caches = self.searchers.caches(searcher)
        results = self._candidates(searcher, plan.query, options, matches, parsed.ranked, caches)
        if parsed.ranked:
            arrays = (caches.vectors, sets) if self.vectors else None
            page = ranking.rerank(searcher, results, plan, arrays)[offset : offset + first]
        else:
            page = [(h, 0.0) for h in results[offset : offset + first]]
        gone = self._gone([h for h, _ in page])
        if gone:
            page = [(h, score) for h, score in page if h.docnum not in gone]
            matches &= ~bitmap(gone)
        marker = Marker(searcher, plan.query, caches.vectors if self.vectors else None)
        hits = tuple(
            self._hit(h, offset + n, parsed.ranked, marker, score)
            for n, (h, score) in enumerate(page)
        )
        total = matches.bit_count()
        return SearchResult(
            query=text,
            hits=hits,
            total=total,
            facets={name: _counts(sets.counts(searcher, matches, name)) for name in FACETS},
            suggestion=parsed.corrected,
            end_cursor=hits[-1].cursor if hits else None,
            has_next_page=offset + len(hits) < total,
        )

    def _candidates(
        self,
        searcher: Any,
        query: wq.Query,
        options: dict[str, Any],
        matches: int,
        ranked: bool,
        caches: SnapshotCaches,
    ) -> list[Candidate]:
        """The first ``options["limit"]`` of ``matches``, best first (or newest first
        when nothing ranks), scored by :mod:`kb.search.scoring` when it can score
        ``query``, else by Whoosh's collector; the same documents in the same order."""
        if not matches:
            return []
        if ranked and self.vectors:
            try:
                scores = caches.vectors.scores(searcher, query, caches.sets)
            except UnsupportedQueryError:
                pass
            else:
                allowed = mask_of(matches, caches.vectors.size)
                return [
                    Candidate(searcher, number, score, caches.keys)
                    for number, score in top_documents(scores, allowed, options["limit"])
                ]
        return [
            Candidate(searcher, h.docnum, float(h.score or 0.0), caches.keys)
            for h in _top(searcher, query, options)
        ]

    def _gone(self, page: list[Any]) -> set[int]:
        """Document numbers of the hits on ``page`` whose node the graph no longer has
        (the index is behind it); each listener of ``on_missing`` is told their keys.

        Without a graph, or while it does not answer, nothing is checked.
        """
        if self.graph is None or not page:
            return set()
        keys: dict[str, list[str]] = {}
        for hit in page:
            keys.setdefault(_LABELS[hit["kind"]], []).append(hit["id"])
        try:
            present = existing_keys(self.graph, keys)
        except DatabaseUnavailableError:
            return set()
        gone = {h.docnum for h in page if h["id"] not in present[_LABELS[h["kind"]]]}
        if gone:
            missing = {
                label: [id for id in ids if id not in present[label]] for label, ids in keys.items()
            }
            for listener in self.on_missing:
                try:
                    listener(missing)
                except Exception:  # the page is right without it; the next search retries
                    log.exception("search: removing documents of deleted nodes failed")
        return gone

    def related(self, kind: str, id: str, first: int = 10) -> list[RelatedItem]:
        """Practices and lessons related to one: Whoosh more-like-this on its text,
        blended with its graph neighbours (:func:`kb.graph.search_docs.neighbours`)."""
        if kind not in {"practice", "lesson"}:
            raise SearchInputError(f"kind {kind!r} has no related items; expected practice, lesson")
        if not 1 <= first <= MAX_PAGE:
            raise SearchInputError(f"first={first} is out of range; expected 1..{MAX_PAGE}")
        with self.searchers.searcher() as searcher:
            return self._related(searcher, kind, id, first)

    def _related(self, searcher: Any, kind: str, id: str, first: int) -> list[RelatedItem]:
        docnum = searcher.document_number(uid=uid(kind, id))
        if docnum is None:
            return []
        stored = searcher.stored_fields(docnum)
        text = " ".join(stored.get(f, "") for f in ("title", "tags", "summary", "body"))
        similar = searcher.more_like(
            docnum,
            "body",
            text=text,
            top=first * 3,
            numterms=25,
            filter=wq.Or([wq.Term("kind", "practice"), wq.Term("kind", "lesson")]),
        )
        text_scores = {(h["kind"], h["id"]): h.score for h in similar}
        graph_scores: dict[tuple[str, str], float] = {}
        if self.graph is not None:
            for n in neighbours(self.graph, kind, id, limit=first * 3):
                graph_scores[(n.kind, n.id)] = n.weight
        text_top = max(text_scores.values(), default=0.0) or 1.0
        graph_top = max(graph_scores.values(), default=0.0) or 1.0
        text_weight = TEXT_WEIGHT if graph_scores else 1.0
        items = []
        for key in set(text_scores) | set(graph_scores):
            t = text_scores.get(key, 0.0) / text_top
            g = graph_scores.get(key, 0.0) / graph_top
            number = searcher.document_number(uid=uid(*key))
            title = searcher.stored_fields(number).get("title", "") if number is not None else ""
            items.append(
                RelatedItem(key[0], key[1], title, text_weight * t + (1 - text_weight) * g, t, g)
            )
        items.sort(key=lambda item: (-item.score, item.kind, item.id))
        return items[:first]

    def lexicon(self) -> Lexicon:
        """Names a query may mention (read from the graph, kept :data:`LEXICON_TTL` s);
        empty without a graph or while it cannot be read."""
        if self.graph is None:
            return Lexicon()
        with self._lexicon_lock:
            if self._lexicon is not None and time.monotonic() - self._lexicon[0] < LEXICON_TTL:
                return self._lexicon[1]
            try:
                lexicon = Lexicon.build(entity_names(self.graph), _english)
            except (DatabaseUnavailableError, QueryError) as error:
                log.warning("search runs without entity names: %s", error)
                return self._lexicon[1] if self._lexicon else Lexicon()
            self._lexicon = (time.monotonic(), lexicon)
            return lexicon

    def _eligible(self, intent: Intent) -> list[str]:
        if not intent.wants_eligible_contracts or self.graph is None:
            return []
        try:
            return eligible_contract_ids(self.graph, intent.states)
        except (DatabaseUnavailableError, QueryError) as error:
            log.warning("eligible contracts not read for search: %s", error)
            return []

    def _hit(
        self, hit: Candidate, position: int, ranked: bool, marker: Marker, score: float = 0.0
    ) -> Hit:
        highlights = marker.highlights(hit, HIGHLIGHT_FIELDS) if ranked else []
        return Hit(
            kind=hit["kind"],
            id=hit["id"],
            title=hit.get("title", ""),
            score=score if ranked else 0.0,
            highlights=tuple(highlights),
            states=_split(hit.get("state")),
            alliances=_split(hit.get("alliance")),
            categories=_split(hit.get("category")),
            date=hit.get("date") or None,
            cursor=encode_cursor(position),
        )


_settled = False


def settle_heap() -> bool:
    """Collect garbage, then keep what is alive out of later collections (once per
    process; False when done already).

    Called by the search runtime once it has warmed its first snapshot: the objects a
    build and a warm-up leave (term tables, the speller's vocabulary, the documents'
    keys) would otherwise be walked by each full collection the searches' allocations
    set off, one search paying it all (325 ms in one first run at 100x under load,
    bench/README.md). ``gc.freeze`` only hides them from the cycle collector: they are
    still freed when no longer referenced, except within a reference cycle, which is
    why it is done once, not after each commit.
    """
    global _settled
    if _settled:
        return False
    _settled = True
    gc.collect()
    gc.freeze()
    return True


def _english(word: str) -> bool:
    """Whether ``word`` (lower case) is an English word: one of the table of word vectors
    (:mod:`kb.search.semantic`, the model's and LemmInflect's words)."""
    return word_vectors().row(word) is not None


def _top(searcher: Any, query: wq.Query, options: dict[str, Any]) -> list[Any]:
    """The first ``options["limit"]`` hits of ``query``, best first, exactly.

    Whoosh's top-N collector "replaces" matchers as its threshold rises (an OR whose
    parts cannot reach the threshold alone becomes an AND-maybe), which in
    whoosh-reloaded 2.7.5 loses hits on these queries: documents ranked 5th and 9th of
    all matches went missing from the top 10. Replacement is turned off; skipping
    blocks by their quality stays on (it gives the same hits, checked by
    tests/search/test_matchsets.py against a collector that scores every match).
    """
    collector = searcher.collector(**options)
    inner = collector
    while inner is not None:
        if hasattr(inner, "replace"):
            inner.replace = 0
        inner = getattr(inner, "child", None)
    searcher.search_with_collector(query, collector)
    results = collector.results()
    # Not list(results): list() asks len() for a size hint, and a Results' len() is the
    # exact match count, which walks every match again (half the time at 16k documents).
    return [results[n] for n in range(results.scored_length())]


def _counts(counts: dict[str, int]) -> tuple[FacetCount, ...]:
    found = [FacetCount(k, v) for k, v in counts.items() if k not in ("", NO_VALUE)]
    found.sort(key=lambda c: (-c.count, c.value))
    return tuple(found)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(",") if v and v != NO_VALUE)
