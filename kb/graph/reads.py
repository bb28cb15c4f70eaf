"""Reads for the API: nodes by key, filtered and ordered pages, related pages in batches.

A related list is read for many parents in one statement (``UNWIND $ids``), so that a
nested GraphQL selection costs one query per relationship field, not one per parent.

Example:
    >>> page = list_nodes(graph, "State", PageRequest(limit=5, order="name"))
    >>> [item.node.key for item in page.items]
    ['AK', 'AL', 'AR', 'AS', 'AZ']
    >>> pages = related_pages(graph, "State.alliances", ["UT", "CO"], PageRequest())
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import LiteralString

from kb.graph.db import Graph
from kb.graph.filters import FILTERS
from kb.graph.records import NodeRecord, Page, PageRequest, page_of

# Order by a whitelisted property given as a parameter; the direction is chosen by
# $desc, so one statement serves every ordering. n.id breaks ties (stable pages).
_ORDER: LiteralString = (
    " WITH n, r ORDER BY CASE WHEN $desc THEN null ELSE n[$order] END,"
    " CASE WHEN $desc THEN n[$order] END DESC, n.id"
)
_COLLECT: LiteralString = " RETURN collect(n {.*, _edge: properties(r)}) AS found"


@dataclass(frozen=True)
class Relation:
    """A relationship field: the parent label, the listed label and the pattern binding
    ``p`` (the parent, matched by ``pid``), ``n`` (a listed node) and ``r`` (the edge)."""

    parent: str
    target: str
    pattern: LiteralString


_CURRENT_AS_OF: LiteralString = (
    " WHERE (r.since IS NULL OR r.since <= coalesce($asOf, date()))"
    " AND (r.until IS NULL OR r.until > coalesce($asOf, date()))"
)

RELATIONS: dict[str, Relation] = {
    # State
    "State.alliances": Relation(
        "State",
        "Alliance",
        "MATCH (p:State {id: pid})-[r:MEMBER_OF]->(n:Alliance)" + _CURRENT_AS_OF,
    ),
    "State.ledContracts": Relation(
        "State", "Contract", "MATCH (p:State {id: pid})-[r:LEADS]->(n:Contract)"
    ),
    "State.participatingContracts": Relation(
        "State", "Contract", "MATCH (p:State {id: pid})-[r:PARTICIPATES_IN]->(n:Contract)"
    ),
    # Awarded by an alliance the state belongs to now (or by one of its arms), not expired,
    # and neither joined nor led by the state.
    "State.eligibleContracts": Relation(
        "State",
        "Contract",
        "MATCH (p:State {id: pid})-[m:MEMBER_OF]->(:Alliance)<-[:ARM_OF*0..2]-(:Alliance)-[:AWARDED]->(n:Contract)"
        " WHERE (m.since IS NULL OR m.since <= date()) AND (m.until IS NULL OR m.until > date())"
        " AND coalesce(n.status, '') <> 'EXPIRED'"
        " AND NOT EXISTS { (p)-[:PARTICIPATES_IN|LEADS]->(n) }"
        " WITH DISTINCT n, null AS r",
    ),
    "State.practices": Relation(
        "State", "Practice", "MATCH (p:State {id: pid})<-[r:SHARED_BY]-(n:Practice)"
    ),
    "State.lessons": Relation("State", "Lesson", "MATCH (p:State {id: pid})<-[r:FROM]-(n:Lesson)"),
    # Alliance
    "Alliance.members": Relation(
        "Alliance",
        "State",
        "MATCH (p:Alliance {id: pid})<-[r:MEMBER_OF]-(n:State)" + _CURRENT_AS_OF,
    ),
    "Alliance.contracts": Relation(
        "Alliance", "Contract", "MATCH (p:Alliance {id: pid})-[r:AWARDED]->(n:Contract)"
    ),
    "Alliance.parent": Relation(
        "Alliance", "Alliance", "MATCH (p:Alliance {id: pid})-[r:ARM_OF]->(n:Alliance)"
    ),
    "Alliance.arms": Relation(
        "Alliance", "Alliance", "MATCH (p:Alliance {id: pid})<-[r:ARM_OF]-(n:Alliance)"
    ),
    "Alliance.practices": Relation(
        "Alliance", "Practice", "MATCH (p:Alliance {id: pid})<-[r:SHARED_BY]-(n:Practice)"
    ),
    "Alliance.lessons": Relation(
        "Alliance", "Lesson", "MATCH (p:Alliance {id: pid})<-[r:ABOUT]-(n:Lesson)"
    ),
    # Contract
    "Contract.alliance": Relation(
        "Contract", "Alliance", "MATCH (p:Contract {id: pid})<-[r:AWARDED]-(n:Alliance)"
    ),
    "Contract.leadState": Relation(
        "Contract", "State", "MATCH (p:Contract {id: pid})<-[r:LEADS]-(n:State)"
    ),
    "Contract.participants": Relation(
        "Contract", "State", "MATCH (p:Contract {id: pid})<-[r:PARTICIPATES_IN]-(n:State)"
    ),
    "Contract.categories": Relation(
        "Contract", "Category", "MATCH (p:Contract {id: pid})-[r:COVERS]->(n:Category)"
    ),
    "Contract.practices": Relation(
        "Contract", "Practice", "MATCH (p:Contract {id: pid})<-[r:REFERENCES]-(n:Practice)"
    ),
    "Contract.lessons": Relation(
        "Contract", "Lesson", "MATCH (p:Contract {id: pid})<-[r:ABOUT]-(n:Lesson)"
    ),
    # Category
    "Category.parent": Relation(
        "Category", "Category", "MATCH (p:Category {id: pid})-[r:CHILD_OF]->(n:Category)"
    ),
    "Category.children": Relation(
        "Category", "Category", "MATCH (p:Category {id: pid})<-[r:CHILD_OF]-(n:Category)"
    ),
    "Category.contracts": Relation(
        "Category", "Contract", "MATCH (p:Category {id: pid})<-[r:COVERS]-(n:Contract)"
    ),
    "Category.practices": Relation(
        "Category", "Practice", "MATCH (p:Category {id: pid})<-[r:APPLIES_TO]-(n:Practice)"
    ),
    "Category.lessons": Relation(
        "Category", "Lesson", "MATCH (p:Category {id: pid})<-[r:ABOUT]-(n:Lesson)"
    ),
    # Practice
    "Practice.states": Relation(
        "Practice", "State", "MATCH (p:Practice {id: pid})-[r:SHARED_BY]->(n:State)"
    ),
    "Practice.alliances": Relation(
        "Practice", "Alliance", "MATCH (p:Practice {id: pid})-[r:SHARED_BY]->(n:Alliance)"
    ),
    "Practice.categories": Relation(
        "Practice", "Category", "MATCH (p:Practice {id: pid})-[r:APPLIES_TO]->(n:Category)"
    ),
    "Practice.contracts": Relation(
        "Practice", "Contract", "MATCH (p:Practice {id: pid})-[r:REFERENCES]->(n:Contract)"
    ),
    # RELATED_TO is symmetric in meaning, whichever way it was stored.
    "Practice.related": Relation(
        "Practice",
        "Practice",
        "MATCH (p:Practice {id: pid})-[x:RELATED_TO]-(n:Practice) WITH DISTINCT n, null AS r",
    ),
    "Practice.prerequisites": Relation(
        "Practice", "Practice", "MATCH (p:Practice {id: pid})<-[r:PREREQUISITE_OF]-(n:Practice)"
    ),
    "Practice.unlocks": Relation(
        "Practice", "Practice", "MATCH (p:Practice {id: pid})-[r:PREREQUISITE_OF]->(n:Practice)"
    ),
    "Practice.lessons": Relation(
        "Practice", "Lesson", "MATCH (p:Practice {id: pid})<-[r:PART_OF]-(n:Lesson)"
    ),
    # Lesson
    "Lesson.state": Relation("Lesson", "State", "MATCH (p:Lesson {id: pid})-[r:FROM]->(n:State)"),
    "Lesson.alliances": Relation(
        "Lesson", "Alliance", "MATCH (p:Lesson {id: pid})-[r:ABOUT]->(n:Alliance)"
    ),
    "Lesson.contracts": Relation(
        "Lesson", "Contract", "MATCH (p:Lesson {id: pid})-[r:ABOUT]->(n:Contract)"
    ),
    "Lesson.categories": Relation(
        "Lesson", "Category", "MATCH (p:Lesson {id: pid})-[r:ABOUT]->(n:Category)"
    ),
    "Lesson.practice": Relation(
        "Lesson", "Practice", "MATCH (p:Lesson {id: pid})-[r:PART_OF]->(n:Practice)"
    ),
}


def _related_query(relation: Relation) -> LiteralString:
    return (
        "UNWIND $ids AS pid CALL (pid) { "
        + relation.pattern
        + " WITH n, r WHERE "
        + FILTERS[relation.target]
        + _ORDER
        + _COLLECT
        + " } RETURN pid, size(found) AS total, found[$skip..$skip + $limit] AS items"
    )


_RELATED: dict[str, LiteralString] = {name: _related_query(rel) for name, rel in RELATIONS.items()}


def _list_query(label: LiteralString) -> LiteralString:
    return (
        "MATCH (n:"
        + label
        + ") WITH n, null AS r WHERE "
        + FILTERS[label]
        + _ORDER
        + " WITH collect(n {.*}) AS found RETURN size(found) AS total, found[$skip..$skip + $limit] AS items"
    )


_LIST: dict[str, LiteralString] = {
    "State": _list_query("State"),
    "Alliance": _list_query("Alliance"),
    "Contract": _list_query("Contract"),
    "Category": _list_query("Category"),
    "Practice": _list_query("Practice"),
    "Lesson": _list_query("Lesson"),
}

_BY_KEYS: dict[str, LiteralString] = {
    "State": "MATCH (n:State) WHERE n.id IN $keys RETURN n {.*} AS n",
    "Alliance": "MATCH (n:Alliance) WHERE n.id IN $keys RETURN n {.*} AS n",
    "Contract": "MATCH (n:Contract) WHERE n.id IN $keys RETURN n {.*} AS n",
    "Category": "MATCH (n:Category) WHERE n.id IN $keys RETURN n {.*} AS n",
    "Practice": "MATCH (n:Practice) WHERE n.id IN $keys RETURN n {.*} AS n",
    "Lesson": "MATCH (n:Lesson) WHERE n.id IN $keys RETURN n {.*} AS n",
}

LABELS = tuple(_LIST)


def _label(label: str) -> str:
    if label not in _LIST:
        raise ValueError(f"{label!r} is not a node label; expected one of {', '.join(LABELS)}")
    return label


def nodes_by_keys(graph: Graph, label: str, keys: Iterable[str]) -> dict[str, NodeRecord]:
    """The nodes of ``label`` whose key is in ``keys`` (absent keys are left out)."""
    rows = graph.read(_BY_KEYS[_label(label)], keys=list(keys))
    records = (NodeRecord.of(label, row["n"]) for row in rows)
    return {record.key: record for record in records}


def list_nodes(graph: Graph, label: str, request: PageRequest) -> Page:
    """One page of the nodes of ``label`` that pass ``request.where``, in order."""
    params = request.params(_label(label))
    rows = graph.read(_LIST[label], **params)
    return page_of(label, rows[0], request.offset)


def related_pages(
    graph: Graph, relation: str, parent_keys: list[str], request: PageRequest
) -> dict[str, Page]:
    """For each parent key, one page of the nodes ``relation`` leads to (one statement)."""
    if relation not in RELATIONS:
        raise ValueError(
            f"{relation!r} is not a relationship field; expected one of {sorted(RELATIONS)}"
        )
    target = RELATIONS[relation].target
    params = request.params(target)
    rows = graph.read(_RELATED[relation], ids=parent_keys, **params)
    return {row["pid"]: page_of(target, row, request.offset) for row in rows}
