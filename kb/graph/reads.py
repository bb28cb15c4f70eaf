"""Reads for the API: nodes by key, filtered and ordered pages, related pages in batches.

A related list is read for many parents in one statement (``UNWIND $ids``), so that a
nested GraphQL selection costs one query per relationship field, not one per parent.

Example:
    >>> page = list_nodes(graph, "State", PageRequest(limit=5, order="name"))
    >>> [item.node.key for item in page.items]
    ['AK', 'AL', 'AR', 'AS', 'AZ']
    >>> pages = related_pages(graph, STATE_ALLIANCES, ["UT", "CO"], PageRequest())
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, LiteralString

from kb.domain.joining import JoinFacts
from kb.domain.relationships import (
    LABELS as DOMAIN_LABELS,
)
from kb.domain.relationships import (
    RELATIONSHIPS,
    STATE_ELIGIBLE_CONTRACTS,
    Direction,
    Edge,
    Relationship,
)
from kb.graph.db import Graph
from kb.graph.filters import FILTERS, Condition, given, list_match
from kb.graph.records import NodeRecord, Page, PageRequest, page_of

# Order by a whitelisted property given as a parameter; the direction is chosen by
# $desc, so one statement serves every ordering. n.id breaks ties (stable pages).
_ORDER: LiteralString = (
    " WITH n, r ORDER BY CASE WHEN $desc THEN null ELSE n[$order] END,"
    " CASE WHEN $desc THEN n[$order] END DESC, n.id"
)
_COLLECT: LiteralString = " RETURN collect(n {.*, _edge: properties(r)}) AS found"


_CURRENT_AS_OF: LiteralString = (
    " WHERE (r.since IS NULL OR r.since <= coalesce($asOf, date()))"
    " AND (r.until IS NULL OR r.until > coalesce($asOf, date()))"
)

#: The Cypher of the derived relationships (no stored type of their own), binding
#: ``p`` (the parent, matched by ``pid``), ``n`` (a listed node) and ``r`` (null).
_DERIVED: dict[Relationship, LiteralString] = {
    # Awarded by an alliance the state belongs to now (or by one of its arms), open to
    # new participants (ACTIVE, not past its end date), neither joined nor led by it.
    STATE_ELIGIBLE_CONTRACTS: (
        "MATCH (p:State {id: pid})-[m:MEMBER_OF]->(:Alliance)<-[:ARM_OF*0..2]-(:Alliance)-[:AWARDED]->(n:Contract)"
        " WHERE (m.since IS NULL OR m.since <= date()) AND (m.until IS NULL OR m.until > date())"
        " AND n.status = 'ACTIVE' AND (n.endsOn IS NULL OR n.endsOn >= date())"
        " AND NOT EXISTS { (p)-[:PARTICIPATES_IN|LEADS]->(n) }"
        " WITH DISTINCT n, null AS r"
    ),
}


def relationship_pattern(rel: Relationship) -> LiteralString:
    """The ``MATCH`` of ``rel`` from the table, binding ``p`` (the parent, matched by
    ``pid``), ``n`` (a listed node) and ``r`` (its edge, null when it has none).

    Example:
        >>> from kb.domain.relationships import ALLIANCE_ARMS
        >>> relationship_pattern(ALLIANCE_ARMS)
        'MATCH (p:Alliance {id: pid})<-[r:ARM_OF]-(n:Alliance)'
    """
    if rel.type is None:
        return _DERIVED[rel]
    parent: LiteralString = "MATCH (p:" + rel.parent + " {id: pid})"
    target: LiteralString = "(n:" + rel.target + ")"
    if rel.direction is Direction.EITHER:
        # Symmetric in meaning, whichever way it was stored: each node once, no edge.
        return parent + "-[x:" + rel.type + "]-" + target + " WITH DISTINCT n, null AS r"
    if rel.direction is Direction.OUT:
        pattern = parent + "-[r:" + rel.type + "]->" + target
    else:
        pattern = parent + "<-[r:" + rel.type + "]-" + target
    return pattern + _CURRENT_AS_OF if rel.edge is Edge.PERIOD else pattern


def derived_match(rel: Relationship, parent: str) -> str | None:
    """The Cypher of a derived relationship from the node already bound to ``parent``
    (for the planner, :mod:`kb.graph.projection`), ending in ``WITH DISTINCT n, null AS
    r`` as :func:`relationship_pattern`; None when ``rel`` is not derived."""
    text = _DERIVED.get(rel)
    if text is None:
        return None
    bound = f"({parent})"
    return text.replace(f"(p:{rel.parent} {{id: pid}})", bound).replace("(p)", bound)


def _related_query(rel: Relationship) -> LiteralString:
    return (
        "UNWIND $ids AS pid CALL (pid) { "
        + relationship_pattern(rel)
        + " WITH n, r WHERE "
        + FILTERS[rel.target]
        + _ORDER
        + _COLLECT
        + " } RETURN pid, size(found) AS total, found[$skip..$skip + $limit] AS items"
    )


_RELATED: dict[Relationship, LiteralString] = {rel: _related_query(rel) for rel in RELATIONSHIPS}
_derived = {rel for rel in RELATIONSHIPS if rel.type is None}
if _derived != set(_DERIVED):
    raise AssertionError(f"derived relationships without Cypher: {sorted(map(str, _derived))}")


def _list_query(label: LiteralString, conditions: tuple[Condition, ...]) -> LiteralString:
    # Only the names given filter (kb.graph.filters.list_match), so Neo4j can lead with
    # an index; every match is read, for the total.
    return (
        list_match(label, conditions)
        + _ORDER
        + " WITH collect(n {.*}) AS found RETURN size(found) AS total, found[$skip..$skip + $limit] AS items"
    )


def _unfiltered_query(label: LiteralString, order: LiteralString) -> LiteralString:
    # Nothing filters: the total is the label's count (the count store) and the page is
    # read in order from the id index (every node has an id), so only the page's nodes
    # are read when the order is by key; any other order sorts the keys (a Top of the
    # page's size), still without building a map per node.
    return (
        "MATCH (n:"
        + label
        + ") WHERE n.id IS NOT NULL WITH n, null AS r"
        + order
        + " SKIP $skip LIMIT $limit WITH collect(n {.*}) AS items"
        " RETURN COUNT { (:" + label + ") } AS total, items"
    )


_LABEL_NAMES: tuple[LiteralString, ...] = DOMAIN_LABELS
_BY_ID: LiteralString = " WITH n, r ORDER BY n.id"
_BY_ID_DESC: LiteralString = " WITH n, r ORDER BY n.id DESC"
_UNFILTERED: dict[tuple[str, str], LiteralString] = {
    (label, kind): _unfiltered_query(label, order)
    for label in _LABEL_NAMES
    for kind, order in (("id", _BY_ID), ("id desc", _BY_ID_DESC), ("other", _ORDER))
}
#: The statement of each label and set of filter names given, written on first use
#: (at most one per combination of names).
_LISTS: dict[tuple[str, tuple[Condition, ...]], LiteralString] = {}


_BY_KEYS: dict[str, LiteralString] = {
    "State": "MATCH (n:State) WHERE n.id IN $keys RETURN n {.*} AS n",
    "Alliance": "MATCH (n:Alliance) WHERE n.id IN $keys RETURN n {.*} AS n",
    "Contract": "MATCH (n:Contract) WHERE n.id IN $keys RETURN n {.*} AS n",
    "Category": "MATCH (n:Category) WHERE n.id IN $keys RETURN n {.*} AS n",
    "Practice": "MATCH (n:Practice) WHERE n.id IN $keys RETURN n {.*} AS n",
    "Lesson": "MATCH (n:Lesson) WHERE n.id IN $keys RETURN n {.*} AS n",
}

LABELS = tuple(_LABEL_NAMES)


def _label(label: str) -> str:
    if label not in _LABEL_NAMES:
        raise ValueError(f"{label!r} is not a node label; expected one of {', '.join(LABELS)}")
    return label


def nodes_by_keys(graph: Graph, label: str, keys: Iterable[str]) -> dict[str, NodeRecord]:
    """The nodes of ``label`` whose key is in ``keys`` (absent keys are left out)."""
    rows = graph.read(_BY_KEYS[_label(label)], keys=list(keys))
    records = (NodeRecord.of(label, row["n"]) for row in rows)
    return {record.key: record for record in records}


def list_nodes(graph: Graph, label: str, request: PageRequest) -> Page:
    """One page of the nodes of ``label`` that pass ``request.where``, in order."""
    name = _label(label)
    params = request.params(name)
    conditions = given(name, params["w"])
    if conditions:
        statement = _LISTS.get((name, conditions))
        if statement is None:
            statement = _LISTS.setdefault((name, conditions), _list_query(name, conditions))
    else:
        kind = "other" if params["order"] != "id" else "id desc" if params["desc"] else "id"
        statement = _UNFILTERED[(name, kind)]
    rows = graph.read(statement, **params)
    return page_of(name, rows[0], request.offset)


def related_pages(
    graph: Graph, rel: Relationship, parent_keys: list[str], request: PageRequest
) -> dict[str, Page]:
    """For each parent key, one page of the nodes ``rel`` leads to (one statement)."""
    if rel not in _RELATED:
        raise ValueError(f"{rel!r} is not in the relationship table (kb.domain.relationships)")
    params = request.params(rel.target)
    rows = graph.read(_RELATED[rel], ids=parent_keys, **params)
    return {row["pid"]: page_of(rel.target, row, request.offset) for row in rows}


_JOIN_FACTS: LiteralString = (
    _DERIVED[STATE_ELIGIBLE_CONTRACTS].replace(" WITH DISTINCT n, null AS r", "")
    + " AND ($openTo IS NULL OR $openTo IN coalesce(n.openTo, []))"
    " MATCH (m2:Alliance)<-[:ARM_OF*0..2]-(a:Alliance)-[:AWARDED]->(n)"
    " WHERE (p)-[:MEMBER_OF]->(m2)"
    " OPTIONAL MATCH (lead:State)-[:LEADS]->(n)"
    " WITH p, n, head(collect(DISTINCT [m2.name, a.name])) AS via, head(collect(lead.name)) AS lead"
    " RETURN p.name AS state, via[0] AS memberOf, via[1] AS awardedBy, n {.*} AS n, lead"
    " ORDER BY n.title, n.id"
)


def join_facts(
    graph: Graph, state: str, open_to: str | None = None
) -> list[tuple[NodeRecord, JoinFacts]]:
    """The contracts ``state`` could join (as ``State.eligibleContracts``, and open to
    ``open_to`` when given), each with the facts its reason and steps are worded from."""
    rows = graph.read(_JOIN_FACTS.replace("{id: pid}", "{id: $state}"), state=state, openTo=open_to)
    return [
        (
            NodeRecord.of("Contract", row["n"]),
            JoinFacts(
                row["state"],
                row["memberOf"],
                row["awardedBy"],
                row["n"].get("title") or row["n"]["id"],
                row["lead"],
                row["n"].get("leadStateUrl"),
                row["n"].get("portfolioUrl"),
            ),
        )
        for row in rows
    ]


_AWARDS: LiteralString = (
    "UNWIND $ids AS cid MATCH (v:Vendor)-[x:AWARDED_UNDER]->(:Contract {id: cid})"
    " WITH cid, v, x ORDER BY v.name, v.id"
    " RETURN cid, collect({vendor: v {.*}, award: x {.*}}) AS awards"
)


def contract_awards(graph: Graph, contract_keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """For each contract key, its vendors (``vendor``: properties) and their master
    agreements (``award``: number, startsOn, endsOn, source), by vendor name; one statement."""
    rows = graph.read(_AWARDS, ids=contract_keys)
    return {row["cid"]: list(row["awards"]) for row in rows}
