"""What a search returns: plain dataclasses, no Whoosh objects."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from kb.search.querying import SearchInputError
from kb.search.schema import KINDS

#: Page size when none is asked for, and the largest accepted.
DEFAULT_PAGE = 20
MAX_PAGE = 100

_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class SearchFilters:
    """Restrict results: within a dimension any value may match, across dimensions all
    must. Values: kinds ``practice|lesson|contract``, state codes (``UT``), alliance
    slugs (``naspo-valuepoint``), category codes (``920``), years (``2023``)."""

    kinds: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    alliances: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    years: tuple[str, ...] = ()

    def normalised(self) -> SearchFilters:
        """The filters with values in index form, or :class:`SearchInputError`."""
        kinds = tuple(k.strip().lower() for k in self.kinds)
        for kind in kinds:
            if kind not in KINDS:
                raise SearchInputError(
                    f"kind filter {kind!r} is not accepted; expected one of {', '.join(KINDS)}"
                )
        years = tuple(y.strip() for y in self.years)
        for year in years:
            if not _YEAR.match(year):
                raise SearchInputError(f"year filter {year!r} is not a year; expected e.g. 2023")
        return SearchFilters(
            kinds=kinds,
            states=tuple(s.strip().upper() for s in self.states),
            alliances=tuple(a.strip().lower() for a in self.alliances),
            categories=tuple(c.strip().upper() for c in self.categories),
            years=years,
        )

    def dimensions(self) -> dict[str, tuple[str, ...]]:
        """Index field -> accepted values, for the dimensions that are set."""
        pairs = {
            "kind": self.kinds,
            "state": self.states,
            "alliance": self.alliances,
            "category": self.categories,
            "year": self.years,
        }
        return {name: values for name, values in pairs.items() if values}


@dataclass(frozen=True)
class Highlight:
    """Fragments of one field around the matching words. The text is HTML-escaped and
    each match is wrapped in ``<mark>...</mark>``."""

    field: str
    fragments: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    kind: str
    id: str
    title: str
    score: float
    highlights: tuple[Highlight, ...]
    states: tuple[str, ...] = ()
    alliances: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    date: str | None = None
    cursor: str = ""


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    """One page of results with facet counts over every match (not just the page).

    ``suggestion`` is the query with typos corrected ("did you mean"); the results
    already include the corrected words' matches.
    """

    query: str
    hits: tuple[Hit, ...]
    total: int
    facets: dict[str, tuple[FacetCount, ...]] = field(default_factory=dict)
    suggestion: str | None = None
    end_cursor: str | None = None
    has_next_page: bool = False


@dataclass(frozen=True)
class RelatedItem:
    """A practice or lesson related to another: ``score`` blends text similarity and
    graph proximity, each scaled to 0..1."""

    kind: str
    id: str
    title: str
    score: float
    text_score: float
    graph_score: float


def encode_cursor(offset: int) -> str:
    """The opaque cursor after the hit at ``offset`` (0-based)."""
    return base64.urlsafe_b64encode(f"search:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset where the page after ``cursor`` starts."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
        prefix, _, number = text.partition(":")
        if prefix != "search" or not number.isdigit():
            raise ValueError(text)
        return int(number) + 1
    except (ValueError, UnicodeError, binascii.Error):
        raise SearchInputError(
            f"cursor {cursor!r} is not a search cursor; pass a hit's cursor or end_cursor"
        ) from None
