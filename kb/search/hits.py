"""Candidate hits of one search and the highlighted fragments of the returned page.

A :class:`Candidate` is a document number and a score, with its stored fields read on
first use (re-ranking reads only ``kind`` and ``id``, kept per snapshot by
:class:`StoredKeys`). Highlights are made the way Whoosh's ``Highlighter.highlight_hit``
makes them when a search records no matched terms (re-analyse the stored text, mark the
query's terms of that field, fragment, pick the best fragments), except that the
query's terms per field are listed once per search instead of once per hit and field.

Example:
    >>> marker = Marker(searcher, query)
    >>> marker.highlights(Candidate(searcher, 12, 3.5), ("title", "body"))
    [Highlight(field='title', fragments=('<mark>Protest</mark> handling',))]
"""

from __future__ import annotations

import html
import threading
import weakref
from typing import Any

import numpy as np
from whoosh import highlight
from whoosh import query as wq
from whoosh.analysis import (
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)

from kb.search.fragments import TEXTS, AnalysedTexts, matched_tokens
from kb.search.kept import KeptBytes
from kb.search.results import Highlight
from kb.search.scoring import ScoreVectors
from kb.search.words import NOISE_WORDS

#: Short fields shown whole rather than cut into fragments.
WHOLE_FIELDS = ("title", "tags")
FRAGMENTS_PER_FIELD = 2


class _MarkFormatter(highlight.Formatter):  # type: ignore[misc]
    """Escaped text, each match in <mark>, fragments joined by an ellipsis."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        word = html.escape(highlight.get_text(text, token, replace), quote=False)
        # A noise word is only matched as part of a thesaurus phrase; it is not shown
        # as a match even then ("use another state's contract").
        return word if word.lower() in NOISE_WORDS else f"<mark>{word}</mark>"


_WHOLE = highlight.Highlighter(
    fragmenter=highlight.WholeFragmenter(charlimit=None), formatter=_MarkFormatter()
)
_PINPOINT = highlight.Highlighter(
    fragmenter=highlight.PinpointFragmenter(maxchars=240, surround=60, autotrim=True),
    formatter=_MarkFormatter(),
)


class StoredKeys:
    """The ``kind`` and ``id`` of documents of one snapshot, read once each."""

    def __init__(self) -> None:
        self._keys: dict[int, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def get(self, searcher: Any, docnum: int) -> tuple[str, str]:
        with self._lock:
            found = self._keys.get(docnum)
        if found is None:
            stored = searcher.stored_fields(docnum)
            found = (stored.get("kind", ""), stored.get("id", ""))
            with self._lock:
                self._keys[docnum] = found
        return found


class Candidate:
    """One matching document: its number, its retrieval score, its stored fields."""

    __slots__ = ("_fields", "_keys", "docnum", "score", "searcher")

    def __init__(
        self, searcher: Any, docnum: int, score: float, keys: StoredKeys | None = None
    ) -> None:
        self.searcher = searcher
        self.docnum = docnum
        self.score = score
        self._keys = keys
        self._fields: dict[str, Any] | None = None

    def fields(self) -> dict[str, Any]:
        """Every stored field (read once)."""
        if self._fields is None:
            self._fields = dict(self.searcher.stored_fields(self.docnum))
        return self._fields

    def __getitem__(self, name: str) -> Any:
        if name in ("kind", "id") and self._keys is not None and self._fields is None:
            kind, id = self._keys.get(self.searcher, self.docnum)
            return kind if name == "kind" else id
        return self.fields()[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields().get(name, default)


class Marker:
    """Highlights the terms of ``query`` in the stored text of hits.

    With ``vectors`` (the snapshot's posting arrays), a field is only analysed when the
    document holds one of the query's terms there, or a term is a stop word (the
    highlighter's analysis keeps stop words, unstemmed): otherwise no token can match
    and Whoosh would return no fragment. With ``texts``, each stored text is analysed
    once for all searches (:mod:`kb.search.fragments`); None analyses it for each hit,
    as Whoosh does (the same fragments, tests/search/test_fragments.py).
    """

    def __init__(
        self,
        searcher: Any,
        query: wq.Query,
        vectors: ScoreVectors | None = None,
        texts: AnalysedTexts | None = TEXTS,
    ) -> None:
        self.searcher = searcher
        self.query = query
        self.vectors = vectors
        self.texts = texts
        self._words: dict[str, frozenset[str]] = {}
        self._always: dict[str, bool] = {}
        self._holders: dict[str, Any] = {}

    def words(self, fieldname: str) -> frozenset[str]:
        """The query's terms in ``fieldname`` that the index holds."""
        found = self._words.get(fieldname)
        if found is None:
            field = self.searcher.schema[fieldname]
            # Per field: existing_terms() without a field name filters the query's
            # leaves by the field of the last term it saw (its loop variable shadows
            # the argument). Each term is looked up in the segments once per snapshot.
            terms = self.query.existing_terms(
                _known_terms(self.searcher.reader()), fieldname=fieldname, expand=True
            )
            found = frozenset(field.from_bytes(term[1]) for term in terms)
            self._words[fieldname] = found
        return found

    def highlights(self, hit: Candidate, fieldnames: tuple[str, ...]) -> list[Highlight]:
        """Fragments of each of ``fieldnames`` (in that order) holding query terms."""
        found = []
        for name in fieldnames:
            text = hit.get(name)
            if not text:
                continue
            if not self._may_match(name, hit.docnum):
                continue
            highlighter = _WHOLE if name in WHOLE_FIELDS else _PINPOINT
            fragment = self._fragment(highlighter, name, text)
            if fragment:
                found.append(Highlight(name, tuple(fragment.split(_MarkFormatter.between))))
        return found

    def _may_match(self, fieldname: str, docnum: int) -> bool:
        words = self.words(fieldname)
        if not words:
            return False
        if self.vectors is None:
            return True
        always = self._always.get(fieldname)
        if always is None:
            stops = _stop_words(self.searcher.schema[fieldname].analyzer)
            always = stops is None or any(w in stops for w in words)
            self._always[fieldname] = always
        if always:
            return True
        holders = self._holders.get(fieldname)
        if holders is None:
            holders = np.zeros(self.vectors.size, dtype=bool)
            for word in words:
                holders[self.vectors.postings(self.searcher, fieldname, word)[0]] = True
            self._holders[fieldname] = holders
        return bool(holders[docnum])

    def _fragment(self, highlighter: Any, fieldname: str, text: str) -> str:
        # highlight_hit's re-tokenising branch (whoosh/highlight.py), minus the hit.
        analyzer = self.searcher.schema[fieldname].analyzer
        words = self.words(fieldname)
        chain = _chain(analyzer)
        if self.texts is None or chain is None:
            return self._make_fragment(highlighter, analyzer, chain, text, words)
        # What a text shows for a set of words depends on nothing else: kept, so that
        # the same hit of the same query (or of another with the same words) is not
        # fragmented, scored and formatted again.
        key = (highlighter, chain, text, words)
        kept = _FORMATTED.get(key)
        if kept is not None:
            return kept[0]
        found = self._make_fragment(highlighter, analyzer, chain, text, words)
        _FORMATTED.put(key, (found, 2 * (len(text) + len(found)) + _ENTRY_BYTES))
        return found

    def _make_fragment(
        self,
        highlighter: Any,
        analyzer: Any,
        chain: _Chain | None,
        text: str,
        words: frozenset[str],
    ) -> str:
        fragments = self._cached_fragments(highlighter, chain, text, words)
        if fragments is None:
            if chain is not None:
                tokens = _matched_tokens(chain, text, words)
            else:
                tokens = analyzer(text, positions=True, chars=True, mode="index", removestops=False)
                tokens = highlight.set_matched_filter(tokens, words)
            tokens = highlighter._merge_matched_tokens(tokens)
            fragments = highlighter.fragmenter.fragment_tokens(text, tokens)
        fragments = highlight.top_fragments(
            fragments, FRAGMENTS_PER_FIELD, highlighter.scorer, highlighter.order, minscore=1
        )
        return str(highlighter.formatter.format(fragments))

    def _cached_fragments(
        self, highlighter: Any, chain: _Chain | None, text: str, words: frozenset[str]
    ) -> Any:
        """The fragments of ``text`` from its kept analysis; None where that cannot
        stand for the analyser's stream (another analyser or fragmenter, a text limit,
        matched tokens that touch)."""
        if self.texts is None or chain is None:
            return None
        fragmenter = highlighter.fragmenter
        if type(fragmenter) is highlight.PinpointFragmenter:
            tokens = matched_tokens(self.texts.get(chain, text), words, shared=True)
            return None if tokens is None else fragmenter.fragment_matches(text, tokens)
        if type(fragmenter) is highlight.WholeFragmenter and not fragmenter.charlimit:
            tokens = matched_tokens(self.texts.get(chain, text), words, shared=False)
            return None if tokens is None else [highlight.Fragment(text, tokens)]
        return None


#: Estimated bytes of formatted fragments kept (per process), and per entry beside the
#: text and the fragment (key tuple, entry, the words' set is shared by a search).
MAX_FORMATTED_BYTES = 8 * 1024 * 1024
_ENTRY_BYTES = 300
#: (highlighter, analyser chain, text, words) -> (formatted fragments, estimated bytes).
_FORMATTED: KeptBytes[tuple[Any, ...], tuple[str, int]] = KeptBytes(
    MAX_FORMATTED_BYTES, size=lambda entry: entry[1]
)

#: Terms looked up per snapshot reader before its answers are forgotten (a bound on
#: memory: each query's terms are looked up once, in every segment).
MAX_KNOWN_TERMS = 100_000
_KNOWN: weakref.WeakKeyDictionary[Any, _KnownTerms] = weakref.WeakKeyDictionary()


class _KnownTerms:
    """A reader whose answers to ``(field, term) in reader`` are kept (a snapshot's
    segments do not change); everything else is the reader's own."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._known: dict[tuple[str, bytes], bool] = {}
        self.schema = reader.schema

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        found = self._known.get(term)
        if found is None:
            if len(self._known) >= MAX_KNOWN_TERMS:
                self._known.clear()
            found = self._known[term] = term in self._reader
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


def _known_terms(reader: Any) -> Any:
    found = _KNOWN.get(reader)
    if found is None:
        found = _KNOWN.setdefault(reader, _KnownTerms(reader))
    return found


def _stop_words(analyzer: Any) -> frozenset[str] | None:
    """The stop words of ``analyzer``'s stop filter; None when it cannot be told (the
    analyzer is not a chain of a tokenizer and filters)."""
    items = getattr(analyzer, "items", None)
    if items is None:
        return None
    stops: set[str] = set()
    for item in items:
        if isinstance(item, StopFilter):
            if item.min > 1 or item.max is not None:
                return None  # stopped by length too: not a list to check against
            stops |= set(item.stops)
    return frozenset(stops)


#: A tokenizer, lower-casing, stop-word marking and stemming chain taken apart.
_Chain = tuple[Any, frozenset[str], int, int | None, bool, Any, frozenset[str]]
_CHAINS: dict[int, _Chain | None] = {}


def _chain(analyzer: Any) -> _Chain | None:
    """The parts of ``analyzer`` if it is exactly regex tokenizer | lowercase | stop
    filter | stemmer (the schema's text analyzer), else None."""
    key = id(analyzer)
    if key in _CHAINS:
        return _CHAINS[key]
    items = getattr(analyzer, "items", [])
    found: _Chain | None = None
    if [type(item) for item in items] == [RegexTokenizer, LowercaseFilter, StopFilter, StemFilter]:
        tokenizer, _, stop, stem = items
        if not tokenizer.gaps:
            found = (
                tokenizer.expression,
                frozenset(stop.stops),
                stop.min,
                stop.max,
                stop.renumber,
                stem._stem,
                stem.ignore,
            )
    _CHAINS[key] = found
    return found


def _matched_tokens(chain: _Chain, text: str, words: frozenset[str]) -> Any:
    """What ``set_matched_filter(analyzer(text, positions=True, chars=True,
    mode="index", removestops=False), words)`` yields, in one generator: one Token
    object changed in place token after token, attribute by attribute as Whoosh's
    chain does (the highlighter copies the tokens it keeps, so sharing matters)."""
    expression, stops, minsize, maxsize, renumber, stem, ignore = chain
    t = Token(positions=True, chars=True, removestops=False, mode="index")
    pos: int | None = None
    for number, match in enumerate(expression.finditer(text)):
        t.boost = 1.0
        t.pos = number
        t.startchar = match.start()
        t.endchar = match.end()
        word = match.group(0).lower()
        if len(word) >= minsize and (maxsize is None or len(word) <= maxsize) and word not in stops:
            if renumber:
                if pos is None:
                    pos = t.pos
                else:
                    pos += 1
                    t.pos = pos
            t.stopped = False
            if word not in ignore:
                word = stem(word)
        else:
            t.stopped = True
        t.text = word
        t.matched = word in words
        yield t
