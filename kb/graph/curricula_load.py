"""Write the curriculum seed (certifications, domains, TEACHES, curricula) idempotently.

Like :mod:`kb.graph.load`: each record carries ``seedHash``, a digest of what the seed
says about it, and an unchanged record is skipped, so a second load changes nothing.
A curriculum changed through the API keeps its changes until its seed record changes.
Everything is written in one transaction, with its change entries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, LiteralString

from kb.domain.curricula import Certification, CurriculaSeed
from kb.graph.certifications import read_certifications
from kb.graph.changes import record_changes
from kb.graph.curriculum_store import plan_props, read_curricula, sync_curriculum
from kb.graph.db import Graph, Tx
from kb.graph.load import BULK_TIMEOUT
from kb.graph.seed_drift import SeedDrift


@dataclass
class CurriculaLoadReport:
    """How many records of each kind the seed had, and how many were written."""

    seen: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    #: What the load put back, per label and relationship type (set by load_curricula).
    drift: SeedDrift | None = None

    @property
    def total_changed(self) -> int:
        return sum(self.changed.values())


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:32]


_CERTIFICATIONS: LiteralString = (
    "UNWIND $rows AS r MERGE (n:Certification {id: r.id}) ON CREATE SET n.createdAt = datetime() "
    "WITH n, r WHERE n.seedHash IS NULL OR n.seedHash <> r.hash OR r.force "
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
    "OR t.via IS NULL OR t.via <> r.props.via OR t.illustrative IS NULL "
    "OR t.illustrative <> r.props.illustrative "
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


def write_curricula(
    tx: Tx, seed: CurriculaSeed, author: str, force: CurriculaDrift | None = None
) -> CurriculaLoadReport:
    """Upsert the curriculum seed inside ``tx``; unchanged records are skipped, except
    those ``force`` names (the graph differs from what the seed declares)."""
    report = CurriculaLoadReport()
    forced = force or CurriculaDrift()
    rows = _certification_rows(seed)
    for row in rows:
        row["force"] = row["id"] in forced.certifications
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
        if current.get(plan.key) != hashes[plan.key] or plan.key in forced.curricula:
            sync_curriculum(tx, plan, author, {"seedHash": hashes[plan.key]})
            written.append(plan.key)
    report.seen["Curriculum"] = len(keys)
    report.changed["Curriculum"] = len(written)
    record_changes(tx, "Curriculum", written, "UPSERT", author)
    return report


def load_curricula(graph: Graph, seed: CurriculaSeed, author: str = "seed") -> CurriculaLoadReport:
    """Write the curriculum seed to the graph in one transaction (after the main seed:
    curricula refer to its practices and lessons). What the graph lacks or holds
    differently from the seed is written again (see :func:`curricula_drift`)."""
    drift = curricula_drift(graph, seed)
    report = graph.execute_write(
        lambda tx: write_curricula(tx, seed, author, drift), timeout=BULK_TIMEOUT
    )
    report.drift = drift.counts
    return report


@dataclass
class CurriculaDrift:
    """The certifications and curricula to rewrite, and the counts of what that puts back."""

    certifications: set[str] = field(default_factory=set)
    curricula: set[str] = field(default_factory=set)
    counts: SeedDrift = field(default_factory=SeedDrift)


def _comparable(c: Certification) -> Certification:
    # Read back, a certification carries its framework's domains; the seed lists none.
    return replace(c, domains=()) if c.kind != "FRAMEWORK" else c


def curricula_drift(graph: Graph, seed: CurriculaSeed) -> CurriculaDrift:
    """Compare the curriculum seed with the graph: which records differ, and how many
    of their declared nodes and links are missing (per label and relationship type)."""
    drift = CurriculaDrift()
    counts = drift.counts
    have = {r.certification.code: _comparable(r.certification) for r in read_certifications(graph)}
    for c in seed.certifications:
        now = have.get(c.code)
        counts.count(counts.declared, "Certification")
        counts.count(counts.links_declared, "BASED_ON", c.framework is not None)
        counts.count(counts.links_declared, "HAS_DOMAIN", len(c.domains))
        if now is None:
            counts.count(counts.created, "Certification")
            counts.count(counts.links_added, "BASED_ON", c.framework is not None)
            counts.count(counts.links_added, "HAS_DOMAIN", len(c.domains))
        elif now != _comparable(c):
            counts.count(counts.restored, "Certification")
            drift.certifications.add(c.code)
            counts.count(counts.links_added, "BASED_ON", bool(c.framework and not now.framework))
            missing = {d.key for d in c.domains} - {d.key for d in now.domains}
            counts.count(counts.links_added, "HAS_DOMAIN", len(missing))
    pairs = {(row["p"], row["d"]) for row in graph.read(_TEACHES_PRESENT)}
    wanted = {(t.practice, t.domain) for t in seed.teachings}
    counts.count(counts.links_declared, "TEACHES", len(wanted))
    counts.count(counts.links_added, "TEACHES", len(wanted - pairs))
    plans = read_curricula(graph, [plan.key for plan in seed.curricula])
    for plan in seed.curricula:
        items = {(m, i) for m, i in plan.items()}
        modules = {m.key for m in plan.modules}
        counts.count(counts.declared, "Curriculum")
        counts.count(counts.links_declared, "INCLUDES", len(items))
        counts.count(counts.links_declared, "HAS_MODULE", len(modules))
        counts.count(counts.links_declared, "TARGETS", len(plan.certifications))
        record = plans.get(plan.key)
        if record is None:
            counts.count(counts.created, "Curriculum")
            counts.count(counts.links_added, "INCLUDES", len(items))
            counts.count(counts.links_added, "HAS_MODULE", len(modules))
            counts.count(counts.links_added, "TARGETS", len(plan.certifications))
            continue
        now_plan = record.plan
        if replace(now_plan, certifications=tuple(sorted(now_plan.certifications))) != replace(
            plan, certifications=tuple(sorted(plan.certifications))
        ):
            counts.count(counts.restored, "Curriculum")
            drift.curricula.add(plan.key)
            counts.count(counts.links_added, "INCLUDES", len(items - set(now_plan.items())))
            counts.count(counts.links_removed, "INCLUDES", len(set(now_plan.items()) - items))
            now_modules = {m.key for m in now_plan.modules}
            counts.count(counts.links_added, "HAS_MODULE", len(modules - now_modules))
            missing = set(plan.certifications) - set(now_plan.certifications)
            counts.count(counts.links_added, "TARGETS", len(missing))
    return drift


_TEACHES_PRESENT: LiteralString = (
    "MATCH (p:Practice)-[:TEACHES]->(d:Domain) RETURN p.id AS p, d.id AS d"
)
