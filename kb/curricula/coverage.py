"""Coverage: which domains, category groups and alliances a curriculum covers or misses,
and the practices that would fill each gap.

- Domains: those of the certifications the curriculum targets (all domains when it
  targets none). A practice item covers the domains it TEACHES.
- Categories: the top-level category groups. A practice covers the groups of the
  categories it APPLIES_TO; a lesson those it is ABOUT.
- Alliances: every alliance. A practice covers those it is SHARED_BY; a lesson those it
  is ABOUT.

Suggestions for a gap are practices outside the curriculum that fill it, those that
fill the most gaps (of all three kinds) first, then by title.

Example:
    >>> coverage = coverage_of(graph, [record])[record.key]
    >>> [entry.name for entry in coverage.domains if not entry.covered]
    ['Business Principles']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kb.domain.curricula import ItemRef
from kb.graph.certifications import CoverageIndex, Links, coverage_index
from kb.graph.curriculum_store import CurriculumRecord
from kb.graph.db import Graph

DOMAIN = "DOMAIN"
CATEGORY = "CATEGORY"
ALLIANCE = "ALLIANCE"
SUGGESTIONS = 3


@dataclass(frozen=True)
class CoverageEntry:
    """One domain, category group or alliance: the items that cover it, or (when none
    does) practices that would."""

    kind: str
    key: str
    name: str
    group: str | None
    covered_by: tuple[ItemRef, ...]
    suggestions: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)


@dataclass(frozen=True)
class Coverage:
    domains: tuple[CoverageEntry, ...]
    categories: tuple[CoverageEntry, ...]
    alliances: tuple[CoverageEntry, ...]

    def entries(self) -> tuple[CoverageEntry, ...]:
        return self.domains + self.categories + self.alliances

    @property
    def gaps(self) -> tuple[CoverageEntry, ...]:
        return tuple(entry for entry in self.entries() if not entry.covered)


def _touches(links: Links, kind: str) -> frozenset[str]:
    return {DOMAIN: links.domains, CATEGORY: links.groups, ALLIANCE: links.alliances}[kind]


def compute_coverage(
    record: CurriculumRecord, index: CoverageIndex, limit: int = SUGGESTIONS
) -> Coverage:
    """The coverage of ``record`` against ``index`` (pure: no database access)."""
    items = [ref for _, ref in record.plan.items()]
    links = {
        ref: (index.practices if ref.label == "Practice" else index.lessons).get(ref.key)
        for ref in items
    }
    if record.plan.certifications:
        wanted = {k for code in record.plan.certifications for k in index.domains_of.get(code, [])}
    else:
        wanted = {d.domain.key for d in index.domains}
    targets: dict[str, list[tuple[str, str, str | None]]] = {
        DOMAIN: [
            (d.domain.key, d.domain.name, d.framework_name)
            for d in index.domains
            if d.domain.key in wanted
        ],
        CATEGORY: [(code, name, None) for code, name in index.groups.items()],
        ALLIANCE: [(slug, name, None) for slug, name in index.alliances.items()],
    }
    covering = {
        kind: {
            key: tuple(
                ref for ref in items if (found := links[ref]) and key in _touches(found, kind)
            )
            for key, _, _ in entries
        }
        for kind, entries in targets.items()
    }
    gaps = {
        (kind, key) for kind, found in covering.items() for key, refs in found.items() if not refs
    }
    included = {ref.key for ref in items if ref.label == "Practice"}
    candidates = {slug: ln for slug, ln in index.practices.items() if slug not in included}
    score = {
        slug: sum(1 for kind, key in gaps if key in _touches(ln, kind))
        for slug, ln in candidates.items()
    }

    def entries(kind: str) -> tuple[CoverageEntry, ...]:
        result = []
        for key, name, group in targets[kind]:
            refs = covering[kind][key]
            fillers: Iterable[str] = ()
            if not refs:
                fill = [s for s, ln in candidates.items() if key in _touches(ln, kind)]
                fill.sort(key=lambda s: (-score[s], candidates[s].title.lower(), s))
                fillers = fill[:limit]
            result.append(CoverageEntry(kind, key, name, group, refs, tuple(fillers)))
        return tuple(result)

    return Coverage(entries(DOMAIN), entries(CATEGORY), entries(ALLIANCE))


def coverage_of(graph: Graph, records: Iterable[CurriculumRecord]) -> dict[str, Coverage]:
    """The coverage of each record, by curriculum key, from one read of the graph."""
    records = list(records)
    lessons = sorted({r.key for rec in records for _, r in rec.plan.items() if r.label == "Lesson"})
    index = coverage_index(graph, lessons)
    return {record.key: compute_coverage(record, index) for record in records}
