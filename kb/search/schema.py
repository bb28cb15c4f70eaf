"""The Whoosh schema: analyzers, fields and their boosts.

Text fields share one analyzer (words, lower case, English stop words, Porter stems),
so that "protests", "protested" and "protest" meet, and one unstemmed field (``words``)
holds the vocabulary that typo correction draws from. Keys (state, alliance, category)
are comma-separated keyword fields used for filters and facets.

Example:
    >>> [t.text for t in TEXT_ANALYZER("Handling bid protests")]
    ['handl', 'bid', 'protest']
"""

from __future__ import annotations

from typing import Any

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.filters import STOP_WORDS
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

#: Index-side stop words: Whoosh's English list, plus the fragments that splitting on
#: apostrophes leaves ("state's" -> "state", "s"). One-letter words are kept otherwise,
#: so that "P-card" is the phrase "p card" rather than just "card".
INDEX_STOP_WORDS = frozenset(STOP_WORDS | {"s", "t", "d", "ll", "re", "ve"})

TOKEN_PATTERN = r"\w+(?:\.?\w+)*"

TEXT_ANALYZER = (
    RegexTokenizer(TOKEN_PATTERN)
    | LowercaseFilter()
    | StopFilter(stoplist=INDEX_STOP_WORDS, minsize=1)
    | StemFilter(cachesize=100_000)
)
WORD_ANALYZER = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | StopFilter(minsize=3)

#: Searchable text fields and the weight of a match in each (also used at query time).
TEXT_FIELDS: dict[str, float] = {
    "title": 6.0,
    "tags": 2.5,
    "summary": 1.5,
    "body": 1.0,
    "names": 1.0,
}

#: Facet and filter dimensions, in the order results list them.
FACETS = ("kind", "state", "alliance", "category", "year")

KINDS = ("practice", "lesson", "contract")

#: The one document that is not a record: it holds the last applied change sequence,
#: so that the sequence is committed atomically with the documents it covers.
META_UID = "_meta"
META_KIND = "_meta"


#: Stands for "none" in the state, alliance and category fields (never shown).
NO_VALUE = "-"


def _text(name: str) -> TEXT:
    return TEXT(analyzer=TEXT_ANALYZER, stored=True, chars=True, field_boost=TEXT_FIELDS[name])


def build_schema() -> Schema:
    """A fresh schema instance for a new index generation."""
    return Schema(
        uid=ID(unique=True, stored=True),
        id=ID(stored=True),
        # chars=True keeps match offsets, so highlighting need not re-analyse the text.
        title=_text("title"),
        tags=_text("tags"),
        summary=_text("summary"),
        body=_text("body"),
        names=_text("names"),
        words=TEXT(analyzer=WORD_ANALYZER, phrase=False),
        # Term vectors make facet counts cheap; every document carries at least
        # NO_VALUE, because Whoosh cannot count a document without a vector.
        state=KEYWORD(stored=True, commas=True, vector=True),
        alliance=KEYWORD(stored=True, commas=True, vector=True),
        category=KEYWORD(stored=True, commas=True, vector=True),
        kind=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        date=ID(stored=True, sortable=True),
        status=ID(stored=True),
        seq=STORED(),
        epoch=STORED(),
    )


def schema_signature(schema: Schema) -> tuple[tuple[str, str, float], ...]:
    """What an index's schema decides about its postings: each field's name, type and
    index-time weight. An index whose signature differs from :func:`build_schema`'s was
    built by other code (say, before a field's weight changed) and must be rebuilt."""
    return tuple(
        (name, type(field).__name__, float(getattr(field, "field_boost", 1.0)))
        for name, field in sorted(schema.items())
    )


#: What a user may type before a colon, and the index field it means.
FIELD_ALIASES: dict[str, str] = {
    "kind": "kind",
    "type": "kind",
    "id": "id",
    "title": "title",
    "tag": "tags",
    "tags": "tags",
    "summary": "summary",
    "body": "body",
    "text": "body",
    "state": "state",
    "alliance": "alliance",
    "category": "category",
    "year": "year",
    "status": "status",
}

Fields = dict[str, Any]
