"""Write validated seed records to the graph, idempotently, in batches.

Each node carries ``seedHash``, a digest of its properties and outgoing links as the
seed states them. A record whose digest is unchanged is skipped entirely, so a second
load changes nothing (``updatedAt`` included); a changed record has its properties set,
its links replaced and a change entry recorded, in the same transaction. The batches
commit all or nothing through the undo journal of :mod:`kb.graph.batch_writes`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, LiteralString

from kb.domain.records import Contract, Participation, Provenance, SeedData
from kb.graph.changes import record_changes
from kb.graph.db import Graph, Tx

if TYPE_CHECKING:
    from kb.graph.batch_writes import Batch
    from kb.graph.seed_drift import SeedDrift

#: Seconds a bulk read (an export, a reindex) may take in its single transaction.
BULK_TIMEOUT = 600.0


@dataclass
class LoadReport:
    """How many records each label had, how many were created or changed, and (for a
    batched write) how many of those were created."""

    seen: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    memberships_changed: int = 0
    created: dict[str, int] = field(default_factory=dict)
    #: What the load put back, per label and relationship type (set by load_seed).
    drift: SeedDrift | None = None

    @property
    def total_changed(self) -> int:
        return sum(self.changed.values()) + self.memberships_changed


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _prov(p: Provenance) -> dict[str, Any]:
    return {"source": p.source, "illustrative": p.illustrative}


def _terms(c: Contract) -> dict[str, Any]:
    """A contract's terms as properties (all null when it has none); ``endsOnFromTerms``
    says the end date came from the terms, so that an export puts it back there."""
    t = c.terms
    if t is None:
        return dict.fromkeys(TERM_PROPERTIES)
    return {
        "solicitation": t.solicitation,
        "termsEndsOn": t.ends_on,
        "endsOnFromTerms": True if c.ends_on is None and t.ends_on is not None else None,
        "renewal": t.renewal,
        "adminFee": t.admin_fee,
        "portfolioUrl": t.portfolio_url,
        "leadStateUrl": t.lead_state_url,
        "openTo": list(t.open_to) or None,
        "termsSource": t.provenance.source,
        "termsIllustrative": True if t.provenance.illustrative else None,
    }


#: The Contract properties that hold its terms (``contract_terms.yaml``).
TERM_PROPERTIES = (
    "solicitation",
    "termsEndsOn",
    "endsOnFromTerms",
    "renewal",
    "adminFee",
    "portfolioUrl",
    "leadStateUrl",
    "openTo",
    "termsSource",
    "termsIllustrative",
)


def _participation(p: Participation) -> dict[str, Any]:
    return {
        "since": p.since,
        **_prov(p.provenance),
        "signed": p.signed,
        "scope": p.scope,
        "addendumSource": p.addendum_source,
    }


def _row(key: str, props: Mapping[str, Any], links: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": key, "props": dict(props), "links": dict(links), "hash": _digest([props, links])}


# Upserts: MERGE on the natural key, then only touch records whose digest changed.
_UPSERT: dict[str, LiteralString] = {
    "State": "UNWIND $rows AS r MERGE (n:State {code: r.id}) "
    "ON CREATE SET n.createdAt = datetime() WITH n, r WHERE n.seedHash IS NULL OR n.seedHash <> r.hash OR r.force "
    "SET n += r.props, n.id = r.id, n.seedHash = r.hash, n.updatedAt = datetime() RETURN n.id AS id",
    "Alliance": "UNWIND $rows AS r MERGE (n:Alliance {slug: r.id}) "
    "ON CREATE SET n.createdAt = datetime() WITH n, r WHERE n.seedHash IS NULL OR n.seedHash <> r.hash OR r.force "
    "SET n += r.props, n.id = r.id, n.seedHash = r.hash, n.updatedAt = datetime() RETURN n.id AS id",
    "Category": "UNWIND $rows AS r MERGE (n:Category {code: r.id}) "
    "ON CREATE SET n.createdAt = datetime() WITH n, r WHERE n.seedHash IS NULL OR n.seedHash <> r.hash OR r.force "
    "SET n += r.props, n.id = r.id, n.seedHash = r.hash, n.updatedAt = datetime() RETURN n.id AS id",
    "Contract": "UNWIND $rows AS r MERGE (n:Contract {slug: r.id}) "
    "ON CREATE SET n.createdAt = datetime() WITH n, r WHERE n.seedHash IS NULL OR n.seedHash <> r.hash OR r.force "
    "SET n += r.props, n.id = r.id, n.seedHash = r.hash, n.updatedAt = datetime() RETURN n.id AS id",
    "Practice": "UNWIND $rows AS r MERGE (n:Practice {slug: r.id}) "
    "ON CREATE SET n.createdAt = datetime() WITH n, r WHERE n.seedHash IS NULL OR n.seedHash <> r.hash OR r.force "
    "SET n += r.props, n.id = r.id, n.seedHash = r.hash, n.updatedAt = datetime() RETURN n.id AS id",
    "Vendor": "UNWIND $rows AS r MERGE (n:Vendor {slug: r.id}) "
    "ON CREATE SET n.createdAt = datetime() WITH n, r WHERE n.seedHash IS NULL OR n.seedHash <> r.hash OR r.force "
    "SET n += r.props, n.id = r.id, n.seedHash = r.hash, n.updatedAt = datetime() RETURN n.id AS id",
    "Lesson": "UNWIND $rows AS r MERGE (n:Lesson {id: r.id}) "
    "ON CREATE SET n.createdAt = datetime() WITH n, r WHERE n.seedHash IS NULL OR n.seedHash <> r.hash OR r.force "
    "SET n += r.props, n.seedHash = r.hash, n.updatedAt = datetime() RETURN n.id AS id",
}

# For a changed record: remove the links it owns (the statements of _CLEAR), then create
# them from the seed (the rest).
_LINKS: dict[str, list[LiteralString]] = {
    "State": [],
    "Alliance": [
        "UNWIND $rows AS r MATCH (n:Alliance {id: r.id}) OPTIONAL MATCH (n)-[x:ARM_OF]->() DELETE x",
        "UNWIND $rows AS r MATCH (n:Alliance {id: r.id}) WITH n, r WHERE r.links.arm_of IS NOT NULL "
        "MATCH (p:Alliance {id: r.links.arm_of}) MERGE (n)-[:ARM_OF]->(p)",
    ],
    "Category": [
        "UNWIND $rows AS r MATCH (n:Category {id: r.id}) OPTIONAL MATCH (n)-[x:CHILD_OF]->() DELETE x",
        "UNWIND $rows AS r MATCH (n:Category {id: r.id}) WITH n, r WHERE r.links.parent IS NOT NULL "
        "MATCH (p:Category {id: r.links.parent}) MERGE (n)-[:CHILD_OF]->(p)",
    ],
    "Contract": [
        "UNWIND $rows AS r MATCH (n:Contract {id: r.id}) "
        "OPTIONAL MATCH (n)-[x:AWARDED|LEADS|PARTICIPATES_IN|COVERS]-() DELETE x",
        "UNWIND $rows AS r MATCH (n:Contract {id: r.id}), (a:Alliance {id: r.links.alliance}) "
        "MERGE (a)-[:AWARDED]->(n)",
        "UNWIND $rows AS r MATCH (n:Contract {id: r.id}) WITH n, r WHERE r.links.lead_state IS NOT NULL "
        "MATCH (s:State {id: r.links.lead_state}) MERGE (s)-[:LEADS]->(n)",
        "UNWIND $rows AS r MATCH (n:Contract {id: r.id}) UNWIND r.links.categories AS code "
        "MATCH (c:Category {id: code}) MERGE (n)-[:COVERS]->(c)",
        "UNWIND $rows AS r MATCH (n:Contract {id: r.id}) UNWIND r.links.participants AS p "
        "MATCH (s:State {id: p.state}) MERGE (s)-[x:PARTICIPATES_IN]->(n) SET x += p.props",
    ],
    "Practice": [
        "UNWIND $rows AS r MATCH (n:Practice {id: r.id}) "
        "OPTIONAL MATCH (n)-[x:SHARED_BY|APPLIES_TO|REFERENCES|RELATED_TO]->() DELETE x",
        "UNWIND $rows AS r MATCH (n:Practice {id: r.id}) "
        "OPTIONAL MATCH ()-[x:PREREQUISITE_OF]->(n) DELETE x",
        "UNWIND $rows AS r MATCH (n:Practice {id: r.id}) UNWIND r.links.states AS k "
        "MATCH (m:State {id: k}) MERGE (n)-[:SHARED_BY]->(m)",
        "UNWIND $rows AS r MATCH (n:Practice {id: r.id}) UNWIND r.links.alliances AS k "
        "MATCH (m:Alliance {id: k}) MERGE (n)-[:SHARED_BY]->(m)",
        "UNWIND $rows AS r MATCH (n:Practice {id: r.id}) UNWIND r.links.categories AS k "
        "MATCH (m:Category {id: k}) MERGE (n)-[:APPLIES_TO]->(m)",
        "UNWIND $rows AS r MATCH (n:Practice {id: r.id}) UNWIND r.links.contracts AS k "
        "MATCH (m:Contract {id: k}) MERGE (n)-[:REFERENCES]->(m)",
        "UNWIND $rows AS r MATCH (n:Practice {id: r.id}) UNWIND r.links.related AS k "
        "MATCH (m:Practice {id: k}) MERGE (n)-[:RELATED_TO]->(m)",
        "UNWIND $rows AS r MATCH (n:Practice {id: r.id}) UNWIND r.links.prerequisites AS k "
        "MATCH (m:Practice {id: k}) MERGE (m)-[:PREREQUISITE_OF]->(n)",
    ],
    "Vendor": [
        "UNWIND $rows AS r MATCH (n:Vendor {id: r.id}) OPTIONAL MATCH (n)-[x:AWARDED_UNDER]->() DELETE x",
        "UNWIND $rows AS r MATCH (n:Vendor {id: r.id}) UNWIND r.links.awards AS a "
        "MATCH (c:Contract {id: a.contract}) MERGE (n)-[x:AWARDED_UNDER]->(c) SET x += a.props",
    ],
    "Lesson": [
        "UNWIND $rows AS r MATCH (n:Lesson {id: r.id}) "
        "OPTIONAL MATCH (n)-[x:FROM|ABOUT|PART_OF]->() DELETE x",
        "UNWIND $rows AS r MATCH (n:Lesson {id: r.id}), (s:State {id: r.links.state}) "
        "MERGE (n)-[:FROM]->(s)",
        "UNWIND $rows AS r MATCH (n:Lesson {id: r.id}) UNWIND r.links.alliances AS k "
        "MATCH (m:Alliance {id: k}) MERGE (n)-[:ABOUT]->(m)",
        "UNWIND $rows AS r MATCH (n:Lesson {id: r.id}) UNWIND r.links.contracts AS k "
        "MATCH (m:Contract {id: k}) MERGE (n)-[:ABOUT]->(m)",
        "UNWIND $rows AS r MATCH (n:Lesson {id: r.id}) UNWIND r.links.categories AS k "
        "MATCH (m:Category {id: k}) MERGE (n)-[:ABOUT]->(m)",
        "UNWIND $rows AS r MATCH (n:Lesson {id: r.id}) WITH n, r WHERE r.links.practice IS NOT NULL "
        "MATCH (m:Practice {id: r.links.practice}) MERGE (n)-[:PART_OF]->(m)",
    ],
}

#: How many of the first statements of each label's ``_LINKS`` only remove links.
_CLEARING = {
    "State": 0,
    "Alliance": 1,
    "Category": 1,
    "Contract": 1,
    "Practice": 2,
    "Vendor": 1,
    "Lesson": 1,
}

#: The labels a seed writes, in the order that lets links find their targets, and the
#: property each one is merged on.
KEYS: dict[str, LiteralString] = {
    "State": "code",
    "Alliance": "slug",
    "Category": "code",
    "Contract": "slug",
    "Practice": "slug",
    "Vendor": "slug",
    "Lesson": "id",
}


def clear_links(tx: Tx, label: str, ids: list[str]) -> None:
    """Remove the links that records of ``label`` own (those a load rewrites)."""
    if ids:
        for query in _LINKS[label][: _CLEARING[label]]:
            tx.run(query, rows=[{"id": key} for key in ids])


#: Labels whose records link to records of the same label (written in one batch).
_SELF_LINKED = frozenset({"Alliance", "Category", "Practice"})

_MEMBERSHIPS: LiteralString = (
    "UNWIND $rows AS r MATCH (s:State {id: r.state}), (a:Alliance {id: r.alliance}) "
    "MERGE (s)-[m:MEMBER_OF]->(a) WITH m, r WHERE m.seedHash IS NULL OR m.seedHash <> r.hash OR r.force "
    "SET m += r.props, m.seedHash = r.hash "
    "RETURN count(m) AS changed, collect(DISTINCT r.state) AS states, "
    "collect(DISTINCT r.alliance) AS alliances"
)


def seed_rows(data: SeedData) -> dict[str, list[dict[str, Any]]]:
    """The seed as rows per label: properties, links and a digest for each record."""
    return {
        "State": [
            _row(
                s.code,
                {
                    "code": s.code,
                    "name": s.name,
                    "fips": s.fips,
                    "kind": s.kind,
                    "region": s.region,
                    "naspoRegion": s.naspo_region,
                    "naspoRegionIllustrative": s.naspo_region_illustrative,
                    **_prov(s.provenance),
                },
                {},
            )
            for s in data.states
        ],
        "Alliance": [
            _row(
                a.slug,
                {
                    "slug": a.slug,
                    "name": a.name,
                    "acronym": a.acronym or None,
                    "scope": a.scope,
                    "description": a.description or None,
                    "founded": a.founded,
                    "dissolved": a.dissolved,
                    **_prov(a.provenance),
                },
                {"arm_of": a.arm_of},
            )
            for a in data.alliances
        ],
        "Category": [
            _row(
                c.code,
                {
                    "code": c.code,
                    "name": c.name,
                    "kind": c.kind,
                    "description": c.description,
                    **_prov(c.provenance),
                },
                {"parent": c.parent},
            )
            for c in data.categories
        ],
        "Contract": [
            _row(
                c.slug,
                {
                    "slug": c.slug,
                    "title": c.title,
                    "number": c.number,
                    "status": c.status,
                    "startsOn": c.starts_on,
                    "endsOn": c.effective_ends_on,
                    "description": c.description or None,
                    **_prov(c.provenance),
                    **_terms(c),
                },
                {
                    "alliance": c.alliance,
                    "lead_state": c.lead_state,
                    "categories": sorted(c.categories),
                    "participants": [
                        {"state": p.state, "props": _participation(p)}
                        for p in sorted(c.participants, key=lambda p: p.state)
                    ],
                },
            )
            for c in data.contracts
        ],
        "Practice": [
            _row(
                p.slug,
                {
                    "slug": p.slug,
                    "title": p.title,
                    "summary": p.summary or None,
                    "body": p.body,
                    "focusArea": p.focus_area,
                    "tags": list(p.tags),
                    "publishedOn": p.published_on,
                    **_prov(p.provenance),
                },
                {
                    "states": sorted(p.states),
                    "alliances": sorted(p.alliances),
                    "categories": sorted(p.categories),
                    "contracts": sorted(p.contracts),
                    "related": sorted(p.related),
                    "prerequisites": sorted(p.prerequisites),
                },
            )
            for p in data.practices
        ],
        "Vendor": [
            _row(
                v.slug,
                {"slug": v.slug, "name": v.name, "website": v.website, **_prov(v.provenance)},
                {
                    "awards": [
                        {
                            "contract": a.contract,
                            "props": {
                                "number": a.number,
                                "startsOn": a.starts_on,
                                "endsOn": a.ends_on,
                                "source": a.source,
                            },
                        }
                        for a in sorted(v.awards, key=lambda a: a.contract)
                    ]
                },
            )
            for v in data.vendors
        ],
        "Lesson": [
            _row(
                x.id,
                {
                    "title": x.title,
                    # Absent optional text is no property, as the API writes it.
                    "context": x.context or None,
                    "lesson": x.lesson,
                    "recommendation": x.recommendation or None,
                    "recordedOn": x.recorded_on,
                    "status": x.status,
                    "tags": list(x.tags),
                    **_prov(x.provenance),
                },
                {
                    "state": x.state,
                    "alliances": sorted(x.alliances),
                    "contracts": sorted(x.contracts),
                    "categories": sorted(x.categories),
                    "practice": x.practice,
                },
            )
            for x in data.lessons
        ],
    }


def membership_rows(data: SeedData) -> list[dict[str, Any]]:
    rows = []
    for m in data.memberships:
        props = {"since": m.since, "until": m.until, **_prov(m.provenance)}
        rows.append(
            {"state": m.state, "alliance": m.alliance, "props": props, "hash": _digest(props)}
        )
    return rows


def write_rows(
    tx: Tx, rows: Mapping[str, list[dict[str, Any]]], memberships: list[dict[str, Any]], author: str
) -> LoadReport:
    """Upsert ``rows`` (from :func:`seed_rows`) and ``memberships`` inside ``tx``."""
    report = LoadReport()
    changed_rows: dict[str, list[dict[str, Any]]] = {}
    # Nodes first (all labels), so that links can find their targets.
    for label, query in _UPSERT.items():
        label_rows = rows.get(label, [])
        report.seen[label] = len(label_rows)
        if not label_rows:
            report.changed[label] = 0
            continue
        changed = {row["id"] for row in tx.run(query, rows=label_rows)}
        changed_rows[label] = [row for row in label_rows if row["id"] in changed]
        report.changed[label] = len(changed)
    for label, queries in _LINKS.items():
        if changed_rows.get(label):
            for query in queries:
                tx.run(query, rows=changed_rows[label])
    if memberships:
        written = tx.run(_MEMBERSHIPS, rows=memberships)[0]
        report.memberships_changed = written["changed"]
        # Both ends of each changed membership: what reads them (members, eligible
        # contracts, cached responses) learns of it from the change log.
        record_changes(tx, "State", sorted(written["states"]), "UPSERT", author)
        record_changes(tx, "Alliance", sorted(written["alliances"]), "UPSERT", author)
    for label, changed_list in changed_rows.items():
        record_changes(tx, label, [row["id"] for row in changed_list], "UPSERT", author)
    return report


def seed_batches(
    data: SeedData, batch_size: int, force: Mapping[str, set[str]] | None = None
) -> Iterator[Batch]:
    """The seed as batches, in an order that lets every link find its target: labels as
    in :data:`KEYS`, then memberships. Alliances, categories and practices link to
    records of their own label, so each of those labels goes in a single batch. The
    keys in ``force`` (per label) are rewritten even when their ``seedHash`` matches."""
    from kb.graph.batch_writes import Batch
    from kb.graph.journal import MEMBERSHIP
    from kb.graph.seed_drift import mark_forced

    rows: dict[str, list[dict[str, Any]]] = {**seed_rows(data), MEMBERSHIP: membership_rows(data)}
    for label, keys in (force or {}).items():
        mark_forced(rows.get(label, []), keys, membership=label == MEMBERSHIP)
    for label, label_rows in rows.items():
        size = max(len(label_rows), 1) if label in _SELF_LINKED else batch_size
        for start in range(0, len(label_rows), size):
            part = label_rows[start : start + size]
            yield Batch(label, part, f"{label} records {start + 1}-{start + len(part)}")


def load_seed(
    graph: Graph,
    data: SeedData,
    author: str = "seed",
    *,
    source: str = "the seed",
    batch_size: int = 1000,
    batch_timeout: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Write ``data`` to the graph in batches, all or nothing. The seed is authoritative
    for what it declares: a record is rewritten when the graph differs from it (a
    property or a declared link missing or changed, see :mod:`kb.graph.seed_drift`),
    and skipped otherwise. ``progress`` is called with the rows of each batch written
    (out of :func:`seed_size`).

    Raises:
        kb.graph.batch_writes.BulkWriteError: a batch failed; nothing of this load remains.
    """
    from kb.graph.batch_writes import BATCH_TIMEOUT, write_batches
    from kb.graph.seed_drift import seed_drift

    drift = seed_drift(graph, data)
    written = write_batches(
        graph,
        seed_batches(data, batch_size, drift.force),
        source=source,
        kind="seed",
        author=author,
        batch_timeout=batch_timeout or BATCH_TIMEOUT,
        progress=progress,
    )
    rows = seed_rows(data)
    report = LoadReport(
        seen={label: len(rows[label]) for label in KEYS},
        changed={label: written.changed.get(label, 0) for label in KEYS},
        memberships_changed=written.memberships_changed,
        created={label: written.created.get(label, 0) for label in KEYS},
        drift=drift,
    )
    return report


def seed_size(data: SeedData) -> int:
    """How many rows :func:`load_seed` writes (records and memberships)."""
    return sum(len(rows) for rows in seed_rows(data).values()) + len(data.memberships)
