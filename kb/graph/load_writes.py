"""The Cypher writes of a seed load: upsert records, replace their links, log changes.

Each node carries ``seedHash`` (from :mod:`kb.graph.load_rows`). A record whose digest is
unchanged is skipped entirely, so a second load changes nothing (``updatedAt``
included); a changed record has its properties set, its links replaced and a change
entry recorded, in the same transaction (:func:`write_rows`). The undo journal
(:mod:`kb.graph.journal`) uses :data:`KEYS` and :func:`clear_links` to put records back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, LiteralString

from kb.graph.changes import record_changes
from kb.graph.db import Tx

if TYPE_CHECKING:
    from kb.graph.seed_drift import SeedDrift


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


_MEMBERSHIPS: LiteralString = (
    "UNWIND $rows AS r MATCH (s:State {id: r.state}), (a:Alliance {id: r.alliance}) "
    "MERGE (s)-[m:MEMBER_OF]->(a) WITH m, r WHERE m.seedHash IS NULL OR m.seedHash <> r.hash OR r.force "
    "SET m += r.props, m.seedHash = r.hash "
    "RETURN count(m) AS changed, collect(DISTINCT r.state) AS states, "
    "collect(DISTINCT r.alliance) AS alliances"
)


def write_rows(
    tx: Tx, rows: Mapping[str, list[dict[str, Any]]], memberships: list[dict[str, Any]], author: str
) -> LoadReport:
    """Upsert ``rows`` (from :func:`kb.graph.load_rows.seed_rows`) and ``memberships`` inside ``tx``."""
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
