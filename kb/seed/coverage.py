"""How well the seed covers the graph: counts per record and the coverage rules.

A pure function over :class:`SeedData`; nothing here touches files or Neo4j. The rules
(issue 3): every one of the 56 jurisdictions appears in a lesson or a practice; every
alliance and every contract has a lesson; every category has a practice; practices form
prerequisite chains of 2 to 4, without cycles, and each practice is linked to another;
no two practices or lessons share a title; every record has a source or is illustrative.

Example:
    >>> report = seed_coverage(read_seed(Path("seed")))
    >>> report.ok
    True
    >>> [str(f) for f in report.failures]      # each names the record that fails
    []
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kb.domain.cycles import find_cycles
from kb.domain.records import Contract, Provenance, SeedData

#: The USPS jurisdictions: 50 states, the District of Columbia and 5 territories.
JURISDICTIONS = 56
#: A prerequisite chain is 2 to 4 practices long: what a training course would follow.
CHAIN_MIN, CHAIN_MAX = 2, 4

KINDS = ("jurisdiction", "alliance", "contract", "category")


@dataclass(frozen=True)
class CoverageRow:
    """How many practices and lessons refer to one jurisdiction, alliance, contract or
    category."""

    kind: str
    key: str
    name: str
    practices: int
    lessons: int


@dataclass(frozen=True)
class CoverageFailure:
    """One record that breaks one coverage rule."""

    rule: str
    record: str
    message: str

    def __str__(self) -> str:
        return f"{self.record}: {self.message} (rule: {self.rule})"


@dataclass(frozen=True)
class SeedCoverage:
    """The coverage table, the prerequisite chains, and every rule broken."""

    rows: list[CoverageRow]
    chains: list[list[str]]
    failures: list[CoverageFailure]

    @property
    def ok(self) -> bool:
        return not self.failures


def seed_coverage(data: SeedData) -> SeedCoverage:
    """Count the practices and lessons per referenced record and check every rule."""
    rows = _rows(data)
    chains = prerequisite_chains(data)
    failures: list[CoverageFailure] = []
    failures += _reference_failures(data, rows)
    failures += _chain_failures(data, chains)
    failures += _title_failures(data)
    failures += [
        CoverageFailure("provenance", who, "has neither a source nor illustrative: true")
        for who, provenance in provenances(data)
        if not provenance.source and not provenance.illustrative
    ]
    return SeedCoverage(rows, chains, failures)


def _rows(data: SeedData) -> list[CoverageRow]:
    practices: Counter[tuple[str, str]] = Counter()
    lessons: Counter[tuple[str, str]] = Counter()
    for p in data.practices:
        practices.update(("jurisdiction", code) for code in set(p.states))
        practices.update(("alliance", slug) for slug in set(p.alliances))
        practices.update(("contract", slug) for slug in set(p.contracts))
        practices.update(("category", code) for code in set(p.categories))
    for x in data.lessons:
        lessons[("jurisdiction", x.state)] += 1
        for alliance in x.alliances:
            lessons[("alliance", alliance)] += 1
        for contract in x.contracts:
            lessons[("contract", contract)] += 1
        lessons.update(("category", code) for code in set(x.categories))
    keyed = [
        *(("jurisdiction", s.code, s.name) for s in data.states),
        *(("alliance", a.slug, a.name) for a in data.alliances),
        *(("contract", c.slug, c.title) for c in data.contracts),
        *(("category", c.code, c.name) for c in data.categories),
    ]
    return [
        CoverageRow(kind, key, name, practices[(kind, key)], lessons[(kind, key)])
        for kind, key, name in keyed
    ]


def _reference_failures(data: SeedData, rows: list[CoverageRow]) -> Iterator[CoverageFailure]:
    if len(data.states) != JURISDICTIONS:
        yield CoverageFailure(
            "jurisdictions",
            "states.csv",
            f"lists {len(data.states)} jurisdictions; expected {JURISDICTIONS}",
        )
    for row in rows:
        record = f"{row.kind} {row.key!r} ({row.name})"
        if row.kind == "jurisdiction" and row.practices + row.lessons == 0:
            yield CoverageFailure(
                "jurisdiction in a lesson or practice", record, "appears in no lesson or practice"
            )
        elif row.kind in ("alliance", "contract") and row.lessons == 0:
            yield CoverageFailure(f"{row.kind} has a lesson", record, "has no lesson")
        elif row.kind == "category" and row.practices == 0:
            yield CoverageFailure("category has a practice", record, "has no practice")


def prerequisite_chains(data: SeedData) -> list[list[str]]:
    """Every maximal PREREQUISITE_OF path, first practice first (cycles left out)."""
    edges = [(before, p.slug) for p in data.practices for before in p.prerequisites]
    following: dict[str, list[str]] = {}
    for before, after in edges:
        following.setdefault(before, []).append(after)
    has_prerequisite = {after for _, after in edges}
    chains: list[list[str]] = []

    def walk(path: list[str]) -> None:
        nexts = [n for n in sorted(following.get(path[-1], [])) if n not in path]
        if not nexts:
            chains.append(path)
        for nxt in nexts:
            walk([*path, nxt])

    for start in sorted(following):
        if start not in has_prerequisite:
            walk([start])
    return chains


def _chain_failures(data: SeedData, chains: list[list[str]]) -> Iterator[CoverageFailure]:
    edges = [(before, p.slug) for p in data.practices for before in p.prerequisites]
    for cycle in find_cycles(edges):
        yield CoverageFailure(
            "prerequisites without cycles",
            f"practice {cycle[0]!r}",
            f"prerequisites form a cycle: {' -> '.join(cycle)}",
        )
    if not chains and data.practices:
        yield CoverageFailure(
            "prerequisite chains", "practices", "no practice is a prerequisite of another"
        )
    for chain in chains:
        if not CHAIN_MIN <= len(chain) <= CHAIN_MAX:
            yield CoverageFailure(
                "prerequisite chains",
                f"practice {chain[-1]!r}",
                f"ends a prerequisite chain of {len(chain)} practices "
                f"({' -> '.join(chain)}); expected {CHAIN_MIN} to {CHAIN_MAX}",
            )
    linked = {p.slug for p in data.practices if p.related or p.prerequisites}
    linked |= {slug for p in data.practices for slug in (*p.related, *p.prerequisites)}
    if not any(p.related for p in data.practices) and data.practices:
        yield CoverageFailure("practices related", "practices", "no practice is RELATED_TO another")
    for p in data.practices:
        if p.slug not in linked:
            yield CoverageFailure(
                "practices linked",
                f"practice {p.slug!r}",
                "is linked to no other practice (neither related nor a prerequisite)",
            )


def _title_failures(data: SeedData) -> Iterator[CoverageFailure]:
    seen: dict[str, str] = {}
    items = [(p.title, f"practice {p.slug!r}") for p in data.practices]
    items += [(x.title, f"lesson {x.id!r}") for x in data.lessons]
    for title, who in items:
        key = " ".join(title.lower().split())
        if key in seen:
            yield CoverageFailure(
                "unique titles", who, f"title {title!r} is also the title of {seen[key]}"
            )
        else:
            seen[key] = who


def provenances(data: SeedData) -> Iterable[tuple[str, Provenance]]:
    """Every record of the seed, named, with its provenance (memberships and contract
    participations included)."""
    yield from ((f"state {s.code!r}", s.provenance) for s in data.states)
    yield from ((f"alliance {a.slug!r}", a.provenance) for a in data.alliances)
    yield from ((f"membership {m.alliance!r}/{m.state!r}", m.provenance) for m in data.memberships)
    yield from ((f"category {c.code!r}", c.provenance) for c in data.categories)
    for c in data.contracts:
        yield f"contract {c.slug!r}", c.provenance
        yield from (
            (f"participation of {p.state!r} in contract {c.slug!r}", p.provenance)
            for p in c.participants
        )
    yield from ((f"practice {p.slug!r}", p.provenance) for p in data.practices)
    yield from ((f"lesson {x.id!r}", x.provenance) for x in data.lessons)


@dataclass(frozen=True)
class ProvenanceCount:
    """How many records of a kind carry a source a reader can open and are not flagged
    illustrative ("sourced"), and how many are flagged illustrative."""

    kind: str
    total: int
    sourced: int
    illustrative: int


def _is_sourced(p: Provenance) -> bool:
    source = p.source or ""
    return source.startswith(("http://", "https://")) and not p.illustrative


def provenance_counts(data: SeedData) -> list[ProvenanceCount]:
    """Sourced and illustrative records per kind, and the contracts a buyer can act on
    from sources alone ("contracts, fully sourced": sourced, with a lead state, at least
    one vendor award from a source, and its term from a source: :func:`fully_sourced`)."""
    kinds: list[tuple[str, list[Provenance]]] = [
        ("alliances", [a.provenance for a in data.alliances]),
        ("memberships", [m.provenance for m in data.memberships]),
        ("contracts", [c.provenance for c in data.contracts]),
        ("vendors", [v.provenance for v in data.vendors]),
        ("practices", [p.provenance for p in data.practices]),
        ("lessons", [lesson.provenance for lesson in data.lessons]),
    ]
    rows = [
        ProvenanceCount(
            kind,
            len(found),
            sum(1 for p in found if _is_sourced(p)),
            sum(1 for p in found if p.illustrative),
        )
        for kind, found in kinds
    ]
    full = fully_sourced(data)
    rows.append(ProvenanceCount("contracts, fully sourced", len(data.contracts), len(full), 0))
    return rows


def fully_sourced(data: SeedData) -> list[str]:
    """The slugs of the contracts a buyer can act on from sources alone: the contract
    sourced (not illustrative) with a lead state, at least one vendor award whose source
    (its own or the vendor's) is an address, and its term from a source (the contract's
    own end date, or terms that give an end date or renewal options)."""
    awarded = {
        a.contract
        for v in data.vendors
        for a in v.awards
        if _is_sourced(Provenance(a.source, False)) or _is_sourced(v.provenance)
    }

    def term(c: Contract) -> bool:
        if c.ends_on is not None:
            return True  # under the contract's own source
        t = c.terms
        return t is not None and _is_sourced(t.provenance) and bool(t.ends_on or t.renewal)

    return [
        c.slug
        for c in data.contracts
        if _is_sourced(c.provenance) and c.lead_state and c.slug in awarded and term(c)
    ]
