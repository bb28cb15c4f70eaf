"""Certifications, frameworks and their domains; what coverage is measured against.

Model::

    (Certification {kind: FRAMEWORK})-[:HAS_DOMAIN {position}]->(Domain)
    (Certification {kind: CERTIFICATION})-[:BASED_ON]->(Certification {kind: FRAMEWORK})
    (Practice)-[:TEACHES {via}]->(Domain)

A certification's domains are those of the framework it is based on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, LiteralString

from kb.domain.curricula import Certification, Domain
from kb.graph.db import Graph, Tx
from kb.graph.records import native


@dataclass(frozen=True)
class DomainRecord:
    """A domain and the slugs of the practices that teach it (by title)."""

    domain: Domain
    framework_name: str
    practices: tuple[str, ...] = ()


@dataclass(frozen=True)
class CertificationRecord:
    certification: Certification
    domains: tuple[DomainRecord, ...]
    props: dict[str, Any] = field(default_factory=dict)


_CERTIFICATIONS: LiteralString = """
MATCH (c:Certification) WHERE $codes IS NULL OR c.id IN $codes
OPTIONAL MATCH (c)-[:BASED_ON]->(f:Certification)
WITH c, f, coalesce(f, c) AS owner
CALL (owner) {
  OPTIONAL MATCH (owner)-[h:HAS_DOMAIN]->(d:Domain)
  OPTIONAL MATCH (p:Practice)-[:TEACHES]->(d)
  WITH h, d, p ORDER BY toLower(p.title)
  WITH h, d, collect(p.id) AS practices ORDER BY h.position
  RETURN collect(CASE WHEN d IS NULL THEN null ELSE
    {props: d {.*}, position: h.position, practices: practices} END) AS domains
}
RETURN c {.*} AS c, f.id AS framework, owner.id AS owner, owner.name AS ownerName, domains
ORDER BY c.kind, c.id
"""


def _certification(row: dict[str, Any]) -> CertificationRecord:
    c = native(row["c"])
    domains = tuple(
        DomainRecord(
            Domain(
                d["props"]["id"],
                d["props"]["name"],
                row["owner"],
                d["position"],
                d["props"].get("focusArea"),
            ),
            row["ownerName"],
            tuple(d["practices"]),
        )
        for d in row["domains"]
    )
    cert = Certification(
        code=c["id"],
        kind=c["kind"],
        name=c.get("name") or "",
        body=c.get("body") or "",
        description=c.get("description") or "",
        since=c.get("since"),
        framework=row["framework"],
        domains=tuple(d.domain for d in domains),
        source=c.get("source"),
        illustrative=bool(c.get("illustrative")),
    )
    return CertificationRecord(cert, domains, {k: v for k, v in c.items() if k != "seedHash"})


def read_certifications(graph: Graph, codes: list[str] | None = None) -> list[CertificationRecord]:
    """Certifications and frameworks (all, or those with these codes), with domains."""
    return [_certification(row) for row in graph.read(_CERTIFICATIONS, codes=codes)]


# -- what coverage is measured against -------------------------------------------------


@dataclass(frozen=True)
class Links:
    """What one practice or lesson touches: domains, top-level categories, alliances."""

    title: str
    domains: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    alliances: frozenset[str] = frozenset()


@dataclass
class CoverageIndex:
    """Everything coverage is computed from, read in one transaction."""

    domains: list[DomainRecord]
    domains_of: dict[str, list[str]]  # certification or framework code -> domain keys
    groups: dict[str, str]  # top-level category code -> name
    alliances: dict[str, str]  # alliance slug -> name
    practices: dict[str, Links]
    lessons: dict[str, Links]


_DOMAINS: LiteralString = (
    "MATCH (c:Certification) OPTIONAL MATCH (c)-[:BASED_ON]->(f:Certification) "
    "WITH c, coalesce(f, c) AS owner MATCH (owner)-[h:HAS_DOMAIN]->(d:Domain) "
    "RETURN c.id AS code, owner.id AS owner, owner.name AS ownerName, d {.*} AS d, "
    "h.position AS position ORDER BY owner.id, h.position"
)
_GROUPS: LiteralString = (
    "MATCH (g:Category) WHERE NOT (g)-[:CHILD_OF]->(:Category) "
    "RETURN g.id AS id, g.name AS name ORDER BY g.id"
)
_ALLIANCES: LiteralString = "MATCH (a:Alliance) RETURN a.id AS id, a.name AS name ORDER BY a.id"
_TOP: LiteralString = "-[:CHILD_OF*0..]->(g:Category) WHERE NOT (g)-[:CHILD_OF]->(:Category)"
_PRACTICE_LINKS: LiteralString = (
    "MATCH (p:Practice) "
    "CALL (p) { OPTIONAL MATCH (p)-[:TEACHES]->(d:Domain) RETURN collect(DISTINCT d.id) AS domains } "
    "CALL (p) { OPTIONAL MATCH (p)-[:APPLIES_TO]->(:Category)" + _TOP + " "
    "RETURN collect(DISTINCT g.id) AS groups } "
    "CALL (p) { OPTIONAL MATCH (p)-[:SHARED_BY]->(a:Alliance) RETURN collect(DISTINCT a.id) AS alliances } "
    "RETURN p.id AS id, p.title AS title, domains, groups, alliances"
)
_LESSON_LINKS: LiteralString = (
    "UNWIND $keys AS key MATCH (l:Lesson {id: key}) "
    "CALL (l) { OPTIONAL MATCH (l)-[:ABOUT]->(:Category)" + _TOP + " "
    "RETURN collect(DISTINCT g.id) AS groups } "
    "CALL (l) { OPTIONAL MATCH (l)-[:ABOUT]->(a:Alliance) RETURN collect(DISTINCT a.id) AS alliances } "
    "RETURN l.id AS id, l.title AS title, groups, alliances"
)


def coverage_index(graph: Graph, lessons: list[str]) -> CoverageIndex:
    """The domains, top-level categories and alliances, what every practice touches, and
    what the given lessons touch (a handful of statements, whatever the curricula)."""

    def work(tx: Tx) -> CoverageIndex:
        domains: dict[str, DomainRecord] = {}
        domains_of: dict[str, list[str]] = {}
        for row in tx.run(_DOMAINS):
            d = row["d"]
            domains[d["id"]] = DomainRecord(
                Domain(d["id"], d["name"], row["owner"], row["position"], d.get("focusArea")),
                row["ownerName"],
            )
            domains_of.setdefault(row["code"], []).append(d["id"])
        practices = {
            row["id"]: Links(
                row["title"],
                frozenset(row["domains"]),
                frozenset(row["groups"]),
                frozenset(row["alliances"]),
            )
            for row in tx.run(_PRACTICE_LINKS)
        }
        found = {
            row["id"]: Links(
                row["title"], frozenset(), frozenset(row["groups"]), frozenset(row["alliances"])
            )
            for row in tx.run(_LESSON_LINKS, keys=lessons)
        }
        return CoverageIndex(
            domains=list(domains.values()),
            domains_of=domains_of,
            groups={row["id"]: row["name"] for row in tx.run(_GROUPS)},
            alliances={row["id"]: row["name"] for row in tx.run(_ALLIANCES)},
            practices=practices,
            lessons=found,
        )

    return graph.execute_read(work)
