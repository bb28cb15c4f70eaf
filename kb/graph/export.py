"""Read the whole graph back as :class:`SeedData`, the inverse of ``kb.graph.load``.

Links come back sorted by key (the graph keeps no order among relationships); every
other value comes back as stored. One read transaction, one statement per label.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from kb.domain import records as r
from kb.graph.db import Graph, Tx
from kb.graph.load import BULK_TIMEOUT

_STATES = "MATCH (n:State) RETURN n {.*} AS n ORDER BY n.code"

_ALLIANCES = (
    "MATCH (n:Alliance) "
    "RETURN n {.*} AS n, COLLECT { MATCH (n)-[:ARM_OF]->(p:Alliance) RETURN p.slug ORDER BY p.slug } AS arm_of "
    "ORDER BY n.slug"
)

_MEMBERSHIPS = (
    "MATCH (s:State)-[m:MEMBER_OF]->(a:Alliance) "
    "RETURN a.slug AS alliance, s.code AS state, m {.*} AS m ORDER BY alliance, state"
)

_CATEGORIES = (
    "MATCH (n:Category) "
    "RETURN n {.*} AS n, COLLECT { MATCH (n)-[:CHILD_OF]->(p:Category) RETURN p.code ORDER BY p.code } AS parent "
    "ORDER BY n.kind = 'CLASS', n.code"
)

_CONTRACTS = (
    "MATCH (n:Contract) RETURN n {.*} AS n, "
    "COLLECT { MATCH (a:Alliance)-[:AWARDED]->(n) RETURN a.slug ORDER BY a.slug } AS alliance, "
    "COLLECT { MATCH (s:State)-[:LEADS]->(n) RETURN s.code ORDER BY s.code } AS lead, "
    "COLLECT { MATCH (n)-[:COVERS]->(c:Category) RETURN c.code ORDER BY c.code } AS categories, "
    "COLLECT { MATCH (s:State)-[x:PARTICIPATES_IN]->(n) RETURN x {.*, state: s.code} ORDER BY s.code } AS participants "
    "ORDER BY n.slug"
)

_VENDORS = (
    "MATCH (n:Vendor) RETURN n {.*} AS n, "
    "COLLECT { MATCH (n)-[x:AWARDED_UNDER]->(c:Contract) RETURN x {.*, contract: c.slug} ORDER BY c.slug } AS awards "
    "ORDER BY n.slug"
)

_PRACTICES = (
    "MATCH (n:Practice) RETURN n {.*} AS n, "
    "COLLECT { MATCH (n)-[:SHARED_BY]->(m:State) RETURN m.code ORDER BY m.code } AS states, "
    "COLLECT { MATCH (n)-[:SHARED_BY]->(m:Alliance) RETURN m.slug ORDER BY m.slug } AS alliances, "
    "COLLECT { MATCH (n)-[:APPLIES_TO]->(m:Category) RETURN m.code ORDER BY m.code } AS categories, "
    "COLLECT { MATCH (n)-[:REFERENCES]->(m:Contract) RETURN m.slug ORDER BY m.slug } AS contracts, "
    "COLLECT { MATCH (n)-[:RELATED_TO]->(m:Practice) RETURN m.slug ORDER BY m.slug } AS related, "
    "COLLECT { MATCH (m:Practice)-[:PREREQUISITE_OF]->(n) RETURN m.slug ORDER BY m.slug } AS prerequisites "
    "ORDER BY n.slug"
)

_LESSONS = (
    "MATCH (n:Lesson) RETURN n {.*} AS n, "
    "COLLECT { MATCH (n)-[:FROM]->(m:State) RETURN m.code ORDER BY m.code } AS state, "
    "COLLECT { MATCH (n)-[:ABOUT]->(m:Alliance) RETURN m.slug ORDER BY m.slug } AS alliance, "
    "COLLECT { MATCH (n)-[:ABOUT]->(m:Contract) RETURN m.slug ORDER BY m.slug } AS contract, "
    "COLLECT { MATCH (n)-[:ABOUT]->(m:Category) RETURN m.code ORDER BY m.code } AS categories, "
    "COLLECT { MATCH (n)-[:PART_OF]->(m:Practice) RETURN m.slug ORDER BY m.slug } AS practice "
    "ORDER BY n.id"
)


def day_of(value: Any) -> date | None:
    """A Neo4j ``Date`` (or a stored ISO string) as a Python date."""
    if value is None or isinstance(value, date):
        return value
    if hasattr(value, "to_native"):
        native = value.to_native()
        assert isinstance(native, date)
        return native
    return date.fromisoformat(str(value))


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _prov(props: dict[str, Any]) -> r.Provenance:
    return r.Provenance(source=props.get("source"), illustrative=bool(props.get("illustrative")))


def _terms(n: dict[str, Any]) -> r.ContractTerms | None:
    """A contract's terms, from the properties :func:`kb.graph.load_rows._terms` wrote."""
    if not n.get("termsSource") and not n.get("termsIllustrative"):
        return None
    return r.ContractTerms(
        solicitation=n.get("solicitation"),
        ends_on=day_of(n.get("termsEndsOn")),
        renewal=n.get("renewal"),
        admin_fee=n.get("adminFee"),
        portfolio_url=n.get("portfolioUrl"),
        lead_state_url=n.get("leadStateUrl"),
        open_to=tuple(n.get("openTo") or ()),
        provenance=r.Provenance(n.get("termsSource"), bool(n.get("termsIllustrative"))),
    )


def _read(tx: Tx) -> r.SeedData:
    data = r.SeedData()
    for row in tx.run(_STATES):
        n = row["n"]
        data.states.append(
            r.State(
                n["code"],
                n.get("name") or "",
                n.get("fips") or "",
                n.get("kind") or "",
                n.get("region"),
                n.get("naspoRegion") or "",
                bool(n.get("naspoRegionIllustrative")),
                _prov(n),
            )
        )
    for row in tx.run(_ALLIANCES):
        n = row["n"]
        data.alliances.append(
            r.Alliance(
                n["slug"],
                n.get("name") or "",
                n.get("acronym") or "",
                n.get("scope") or "",
                n.get("description") or "",
                n.get("founded"),
                n.get("dissolved"),
                _first(row["arm_of"]),
                _prov(n),
            )
        )
    for row in tx.run(_MEMBERSHIPS):
        m = row["m"]
        data.memberships.append(
            r.Membership(
                row["alliance"],
                row["state"],
                day_of(m.get("since")),
                day_of(m.get("until")),
                _prov(m),
            )
        )
    for row in tx.run(_CATEGORIES):
        n = row["n"]
        data.categories.append(
            r.Category(
                n["code"],
                n.get("name") or "",
                n.get("kind") or "",
                _first(row["parent"]),
                n.get("description") or "",
                _prov(n),
            )
        )
    for row in tx.run(_CONTRACTS):
        n = row["n"]
        data.contracts.append(
            r.Contract(
                n["slug"],
                n.get("title") or "",
                n.get("number"),
                n.get("status") or "",
                day_of(n.get("startsOn")),
                day_of(n.get("endsOn")),
                n.get("description") or "",
                _first(row["alliance"]) or "",
                _first(row["lead"]),
                tuple(row["categories"]),
                tuple(
                    r.Participation(
                        p["state"],
                        day_of(p.get("since")),
                        _prov(p),
                        day_of(p.get("signed")),
                        p.get("scope"),
                        p.get("addendumSource"),
                    )
                    for p in row["participants"]
                ),
                _prov(n),
                _terms(n),
            )
        )
        if n.get("endsOnFromTerms"):
            data.contracts[-1] = dataclasses.replace(data.contracts[-1], ends_on=None)
    for row in tx.run(_VENDORS):
        n = row["n"]
        data.vendors.append(
            r.Vendor(
                n["slug"],
                n.get("name") or "",
                n.get("website"),
                tuple(
                    r.Award(
                        a["contract"],
                        a.get("number"),
                        day_of(a.get("startsOn")),
                        day_of(a.get("endsOn")),
                        a.get("source"),
                    )
                    for a in row["awards"]
                ),
                _prov(n),
            )
        )
    for row in tx.run(_PRACTICES):
        n = row["n"]
        data.practices.append(
            r.Practice(
                n["slug"],
                n.get("title") or "",
                n.get("summary") or "",
                n.get("body") or "",
                n.get("focusArea"),
                tuple(n.get("tags") or ()),
                day_of(n.get("publishedOn")),
                tuple(row["states"]),
                tuple(row["alliances"]),
                tuple(row["categories"]),
                tuple(row["contracts"]),
                tuple(row["related"]),
                tuple(row["prerequisites"]),
                _prov(n),
            )
        )
    for row in tx.run(_LESSONS):
        n = row["n"]
        data.lessons.append(
            r.Lesson(
                n["id"],
                n.get("title") or "",
                n.get("context") or "",
                n.get("lesson") or "",
                n.get("recommendation") or "",
                day_of(n.get("recordedOn")),
                n.get("status"),
                _first(row["state"]) or "",
                tuple(row["alliance"]),
                tuple(row["contract"]),
                tuple(row["categories"]),
                _first(row["practice"]),
                tuple(n.get("tags") or ()),
                _prov(n),
            )
        )
    return data


def read_graph(graph: Graph) -> r.SeedData:
    """Every State, Alliance, Category, Contract, Practice, Vendor and Lesson with its links,
    and every membership, as seed records (Curricula and the change log are left out)."""
    return graph.execute_read(_read, timeout=BULK_TIMEOUT)
