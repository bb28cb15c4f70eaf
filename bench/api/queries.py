"""The five reads of the peer bench (issue 13), each written three ways: this API's
GraphQL, the peer's GraphQL (Neo4j GraphQL Library 7), and hand-written Cypher; and a
count of the nodes each answer holds, to check both servers answer the same data.

Cypher appears here on purpose: it is the baseline being measured.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

STATE = "UT"
SEARCH = "participating addendum"


@dataclass(frozen=True)
class Read:
    """One read: the query of each side and how to count what came back."""

    name: str
    ours: str
    peer: str
    cypher: str
    count_ours: Callable[[dict[str, Any]], int]
    count_peer: Callable[[dict[str, Any]], int]
    #: False when the two sides rank with different engines (search): counts reported,
    #: not required equal.
    same_data: bool = True


def _nodes(conn: dict[str, Any]) -> list[dict[str, Any]]:
    return list(conn["nodes"])


def _nested_ours(d: dict[str, Any]) -> int:
    total = 0
    for s in _nodes(d["states"]):
        total += 1
        for a in _nodes(s["alliances"]):
            total += 1
            for c in _nodes(a["contracts"]):
                total += 1 + len(_nodes(c["categories"]))
    return total


def _nested_peer(d: dict[str, Any]) -> int:
    total = 0
    for s in d["states"]:
        total += 1
        for a in s["alliances"]:
            total += 1
            for c in a["contracts"]:
                total += 1 + len(c["categories"])
    return total


def _one_ours(d: dict[str, Any]) -> int:
    s = d["state"]
    return 1 + sum(
        len(_nodes(s[f])) for f in ("alliances", "ledContracts", "participatingContracts")
    )


def _one_peer(d: dict[str, Any]) -> int:
    s = d["states"][0]
    return 1 + sum(len(s[f]) for f in ("alliances", "ledContracts", "participatingContracts"))


def _eligible_peer(d: dict[str, Any]) -> int:
    slugs: set[str] = set()

    def walk(alliances: list[dict[str, Any]]) -> None:
        for a in alliances:
            slugs.update(c["slug"] for c in a["contracts"])
            walk(a.get("arms", []))

    walk(d["states"][0]["alliances"])
    return len(slugs)


# The peer's eligible contracts: a nested filter over the state's current alliances and
# their arms (two levels, as ARM_OF*0..2 in kb/graph/reads.py).
# Open to new participants as kb/graph/reads.py has it: ACTIVE and not past its end date.
_TODAY = datetime.date.today().isoformat()
_ELIGIBLE_WHERE = (
    '{AND: [{status: {eq: "ACTIVE"}}, {NOT: {leadState: {code: {eq: "UT"}}}}, '
    f'{{OR: [{{endsOn: {{eq: null}}}}, {{endsOn: {{gte: "{_TODAY}"}}}}]}}], '
    'participants: {none: {code: {eq: "UT"}}}}'
)
_ELIGIBLE_CONTRACTS = f"contracts(where: {_ELIGIBLE_WHERE}) {{ slug title }}"

READS: tuple[Read, ...] = (
    Read(
        "20 states, code and name",
        "{ states(first: 20, orderBy: CODE_ASC) { nodes { code name } } }",
        "{ states(limit: 20, sort: [{code: ASC}]) { code name } }",
        "MATCH (s:State) WITH s ORDER BY s.code LIMIT 20 RETURN s { .code, .name } AS s",
        lambda d: len(_nodes(d["states"])),
        lambda d: len(d["states"]),
    ),
    Read(
        "20 states -> alliances -> contracts -> categories",
        "{ states(first: 20, orderBy: CODE_ASC) { nodes { code name"
        " alliances(first: 5) { nodes { slug name"
        " contracts(first: 10) { nodes { slug title"
        " categories(first: 5) { nodes { code name } } } } } } } } }",
        "{ states(limit: 20, sort: [{code: ASC}]) { code name alliances(first: 5) { slug name"
        " contracts(limit: 10, sort: [{id: ASC}]) { slug title"
        " categories(limit: 5, sort: [{id: ASC}]) { code name } } } } }",
        # All three sides take the same first items of each list: ordered by id, as this
        # API's relationship connections (and the peer's @cypher alliances) order them.
        "MATCH (s:State) WITH s ORDER BY s.code LIMIT 20 "
        "RETURN s { .code, .name, alliances: COLLECT { MATCH (s)-[m:MEMBER_OF]->(a:Alliance) "
        "WHERE (m.since IS NULL OR m.since <= date()) AND (m.until IS NULL OR m.until > date()) "
        "WITH a ORDER BY a.id LIMIT 5 RETURN a { .slug, .name, "
        "contracts: COLLECT { MATCH (a)-[:AWARDED]->(c:Contract) WITH c ORDER BY c.id LIMIT 10 "
        "RETURN c { .slug, .title, categories: COLLECT { MATCH (c)-[:COVERS]->(g:Category) "
        "WITH g ORDER BY g.id LIMIT 5 RETURN g { .code, .name } } } } } } } AS s",
        _nested_ours,
        _nested_peer,
    ),
    Read(
        "one state with its alliances, led and joined contracts",
        '{ state(code: "UT") { code name alliances(first: 20) { nodes { slug name } }'
        " ledContracts(first: 20) { nodes { slug title } }"
        " participatingContracts(first: 20) { nodes { slug title } } } }",
        '{ states(where: {code: {eq: "UT"}}) { code name alliances(first: 20) { slug name }'
        " ledContracts(limit: 20) { slug title }"
        " participatingContracts(limit: 20) { slug title } } }",
        "MATCH (s:State {code: 'UT'}) RETURN s { .code, .name, "
        "alliances: [(s)-[m:MEMBER_OF]->(a:Alliance) WHERE (m.since IS NULL OR m.since <= date()) "
        "AND (m.until IS NULL OR m.until > date()) | a { .slug, .name }][..20], "
        "led: [(s)-[:LEADS]->(c:Contract) | c { .slug, .title }][..20], "
        "joined: [(s)-[:PARTICIPATES_IN]->(c:Contract) | c { .slug, .title }][..20] } AS s",
        _one_ours,
        _one_peer,
    ),
    Read(
        "eligible contracts of a state (peer: nested filter)",
        '{ state(code: "UT") { eligibleContracts(first: 100) { nodes { slug title } } } }',
        '{ states(where: {code: {eq: "UT"}}) { alliances { '
        + _ELIGIBLE_CONTRACTS
        + " arms { "
        + _ELIGIBLE_CONTRACTS
        + " arms { "
        + _ELIGIBLE_CONTRACTS
        + " } } } } }",
        "MATCH (p:State {code: 'UT'})-[m:MEMBER_OF]->(:Alliance)<-[:ARM_OF*0..2]-(:Alliance)"
        "-[:AWARDED]->(n:Contract) WHERE (m.since IS NULL OR m.since <= date()) "
        "AND (m.until IS NULL OR m.until > date()) AND n.status = 'ACTIVE' "
        "AND (n.endsOn IS NULL OR n.endsOn >= date()) "
        "AND NOT EXISTS { (p)-[:PARTICIPATES_IN|LEADS]->(n) } "
        "WITH DISTINCT n RETURN n { .slug, .title } AS n LIMIT 100",
        lambda d: len(_nodes(d["state"]["eligibleContracts"])),
        _eligible_peer,
    ),
    Read(
        'search "participating addendum" (peer: @fulltext)',
        '{ search(query: "participating addendum", first: 10) { totalCount'
        " hits { kind key title score } } }",
        '{ practicesText(phrase: "participating addendum", first: 10)'
        " { edges { score node { slug title } } }"
        ' lessonsText(phrase: "participating addendum", first: 10)'
        " { edges { score node { id title } } }"
        ' contractsText(phrase: "participating addendum", first: 10)'
        " { edges { score node { slug title } } } }",
        "CALL db.index.fulltext.queryNodes('peer_lesson_text', 'participating addendum', "
        "{limit: 10}) YIELD node, score RETURN node.id AS id, score",
        lambda d: len(d["search"]["hits"]),
        lambda d: sum(
            len(d[k]["edges"]) for k in ("practicesText", "lessonsText", "contractsText")
        ),
        same_data=False,
    ),
)
