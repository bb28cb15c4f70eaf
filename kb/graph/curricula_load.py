"""Write the curriculum seed (certifications, domains, TEACHES, curricula) idempotently.

Like :mod:`kb.graph.load`: each record carries ``seedHash``, a digest of what the seed
says about it, and an unchanged record is skipped, so a second load changes nothing.
A curriculum changed through the API keeps its changes until its seed record changes.
Everything is written in one transaction, with its change entries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, LiteralString

from kb.domain.curricula import CurriculaSeed
from kb.graph.changes import record_changes
from kb.graph.curriculum_store import plan_props, sync_curriculum
from kb.graph.db import Graph, Tx
from kb.graph.load import BULK_TIMEOUT


@dataclass
class CurriculaLoadReport:
    """How many records of each kind the seed had, and how many were written."""

    seen: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)

    @property
    def total_changed(self) -> int:
        return sum(self.changed.values())


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:32]


_CERTIFICATIONS: LiteralString = (
    "UNWIND $rows AS r MERGE (n:Certification {id: r.id}) ON CREATE SET n.createdAt = datetime() "
    "WITH n, r WHERE n.seedHash IS NULL OR n.seedHash <> r.hash "
    "SET n += r.props, n.seedHash = r.hash, n.updatedAt = datetime() RETURN n.id AS id"
)
_CERTIFICATION_LINKS: tuple[LiteralString, ...] = (
    "UNWIND $rows AS r MATCH (n:Certification {id: r.id}) "
    "OPTIONAL MATCH (n)-[x:BASED_ON]->() DELETE x",
    "UNWIND $rows AS r MATCH (n:Certification {id: r.id}) WITH n, r WHERE r.framework IS NOT NULL "
    "MATCH (f:Certification {id: r.framework}) MERGE (n)-[:BASED_ON]->(f)",
    "UNWIND $rows AS r MATCH (n:Certification {id: r.id})-[:HAS_DOMAIN]->(d:Domain) "
    "WHERE NOT d.id IN [x IN r.domains | x.id] DETACH DELETE d",
    "UNWIND $rows AS r MATCH (n:Certification {id: r.id}) UNWIND r.domains AS x "
    "MERGE (d:Domain {id: x.id}) ON CREATE SET d.createdAt = datetime() "
    "SET d += x.props, d.updatedAt = datetime() MERGE (n)-[h:HAS_DOMAIN]->(d) SET h.position = x.position",
)
_TEACHES: LiteralString = (
    "UNWIND $rows AS r MATCH (p:Practice {id: r.practice}), (d:Domain {id: r.domain}) "
    "MERGE (p)-[t:TEACHES]->(d) WITH d, t, r WHERE t.seedHash IS NULL OR t.seedHash <> r.hash "
    "SET t += r.props, t.seedHash = r.hash RETURN d.id AS id"
)
_STALE_TEACHES: LiteralString = (
    "MATCH (p:Practice)-[t:TEACHES]->(d:Domain) WHERE NOT p.id + '|' + d.id IN $keep "
    "DELETE t RETURN d.id AS id"
)


def _certification_rows(seed: CurriculaSeed) -> list[dict[str, Any]]:
    rows = []
    for c in seed.certifications:
        props = {
            "code": c.code,
            "kind": c.kind,
            "name": c.name,
            "body": c.body,
            "description": c.description,
            "since": c.since,
            "source": c.source,
            "illustrative": c.illustrative,
        }
        domains = [
            {
                "id": d.key,
                "position": d.position,
                "props": {
                    "key": d.key,
                    "name": d.name,
                    "framework": c.code,
                    "focusArea": d.focus_area,
                },
            }
            for d in c.domains
        ]
        rows.append(
            {
                "id": c.code,
                "props": props,
                "framework": c.framework,
                "domains": domains,
                "hash": _digest([props, c.framework, domains]),
            }
        )
    return rows


def write_curricula(tx: Tx, seed: CurriculaSeed, author: str) -> CurriculaLoadReport:
    """Upsert the curriculum seed inside ``tx``; unchanged records are skipped."""
    report = CurriculaLoadReport()
    rows = _certification_rows(seed)
    # Frameworks first, so that a certification finds the framework it is based on.
    rows.sort(key=lambda r: r["framework"] is not None)
    changed = {row["id"] for row in tx.run(_CERTIFICATIONS, rows=rows)}
    changed_rows = [row for row in rows if row["id"] in changed]
    if changed_rows:
        for statement in _CERTIFICATION_LINKS:
            tx.run(statement, rows=changed_rows)
    report.seen["Certification"] = len(rows)
    report.changed["Certification"] = len(changed)
    record_changes(tx, "Certification", sorted(changed), "UPSERT", author)

    teach_rows = []
    for t in seed.teachings:
        props = {"via": t.via, "illustrative": t.illustrative}
        teach_rows.append(
            {"practice": t.practice, "domain": t.domain, "props": props, "hash": _digest(props)}
        )
    touched = [row["id"] for row in tx.run(_TEACHES, rows=teach_rows)]
    if seed.certifications:  # only a seed that defines the domains owns the TEACHES links
        keep = [f"{t.practice}|{t.domain}" for t in seed.teachings]
        touched += [row["id"] for row in tx.run(_STALE_TEACHES, keep=keep)]
    report.seen["TEACHES"] = len(teach_rows)
    report.changed["TEACHES"] = len(touched)
    record_changes(tx, "Domain", sorted(set(touched)), "UPSERT", author)

    keys = [plan.key for plan in seed.curricula]
    hashes = {
        plan.key: _digest(
            [plan_props(plan), plan.certifications, [asdict(m) for m in plan.modules]]
        )
        for plan in seed.curricula
    }
    current = {
        row["id"]: row["hash"]
        for row in tx.run(
            "MATCH (c:Curriculum) WHERE c.id IN $keys RETURN c.id AS id, c.seedHash AS hash",
            keys=keys,
        )
    }
    written = []
    for plan in seed.curricula:
        if current.get(plan.key) != hashes[plan.key]:
            sync_curriculum(tx, plan, author, {"seedHash": hashes[plan.key]})
            written.append(plan.key)
    report.seen["Curriculum"] = len(keys)
    report.changed["Curriculum"] = len(written)
    record_changes(tx, "Curriculum", written, "UPSERT", author)
    return report


def load_curricula(graph: Graph, seed: CurriculaSeed, author: str = "seed") -> CurriculaLoadReport:
    """Write the curriculum seed to the graph in one transaction (after the main seed:
    curricula refer to its practices and lessons)."""
    return graph.execute_write(lambda tx: write_curricula(tx, seed, author), timeout=BULK_TIMEOUT)
