"""Reads for the search index: practices, lessons and contracts as plain dataclasses.

The search layer never sees a Neo4j record: it gets :class:`PracticeDoc`,
:class:`LessonDoc` and :class:`ContractDoc`, each with the keys of what it links to
(:class:`Links`), and, for related items, the graph neighbours of one node with a weight.

Example:
    >>> docs = read_documents(graph, "Lesson", ["L-0019"])
    >>> docs[0].title
    'A protest was upheld because one addendum never reached all vendors'
    >>> neighbours(graph, "practice", "handling-bid-protests", limit=3)[0].kind
    'lesson'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, LiteralString

from kb.graph.db import Graph, Row

#: The labels the search index holds, and the kind each becomes in the index.
INDEXED_LABELS: dict[str, str] = {
    "Practice": "practice",
    "Lesson": "lesson",
    "Contract": "contract",
}

#: Labels whose names appear in indexed documents: a change to one of these nodes
#: means re-indexing the documents linked to it.
LINKED_LABELS = ("State", "Alliance", "Category", "Contract", "Practice")


@dataclass(frozen=True)
class Links:
    """Keys of the nodes a document links to, and their display names (for matching
    words such as "Utah" or "MMCAP" that the document's own text may not contain)."""

    states: tuple[str, ...] = ()
    alliances: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    contracts: tuple[str, ...] = ()
    practices: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class PracticeDoc:
    id: str
    title: str
    summary: str
    body: str
    focus_area: str | None
    tags: tuple[str, ...]
    published_on: str | None
    links: Links


@dataclass(frozen=True)
class LessonDoc:
    id: str
    title: str
    context: str
    lesson: str
    recommendation: str
    status: str | None
    tags: tuple[str, ...]
    recorded_on: str | None
    links: Links


@dataclass(frozen=True)
class ContractDoc:
    id: str
    title: str
    number: str | None
    description: str
    status: str | None
    starts_on: str | None
    links: Links


SearchDoc = PracticeDoc | LessonDoc | ContractDoc


@dataclass(frozen=True)
class Neighbour:
    """A node near another in the graph; ``weight`` grows with the paths between them."""

    kind: str
    id: str
    weight: float


# Each read filters by `$all OR n.id IN $ids`, so one statement serves both uses.
_LINK_NAMES: LiteralString = (
    " [(n)-[:SHARED_BY|FROM]->(s:State) | s.name] +"
    " [(n)-[:SHARED_BY|ABOUT]->(a:Alliance) | a.name + ' ' + coalesce(a.acronym, '')] +"
    " [(n)-[:APPLIES_TO|ABOUT]->(c:Category) | c.name] +"
    " [(n)-[:REFERENCES|ABOUT]->(k:Contract) | k.title] AS names"
)

_READS: dict[str, LiteralString] = {
    "Practice": (
        "MATCH (n:Practice) WHERE $all OR n.id IN $ids "
        "RETURN n.id AS id, n.title AS title, n.summary AS summary, n.body AS body, "
        "n.focusArea AS focusArea, n.tags AS tags, toString(n.publishedOn) AS date, "
        "[(n)-[:SHARED_BY]->(s:State) | s.id] AS states, "
        "[(n)-[:SHARED_BY]->(a:Alliance) | a.id] AS alliances, "
        "[(n)-[:APPLIES_TO]->(c:Category) | c.id] AS categories, "
        "[(n)-[:REFERENCES]->(k:Contract) | k.id] AS contracts, "
        "[] AS practices, " + _LINK_NAMES + " ORDER BY n.id"
    ),
    "Lesson": (
        "MATCH (n:Lesson) WHERE $all OR n.id IN $ids "
        "RETURN n.id AS id, n.title AS title, n.context AS context, n.lesson AS lesson, "
        "n.recommendation AS recommendation, n.status AS status, n.tags AS tags, "
        "toString(n.recordedOn) AS date, "
        "[(n)-[:FROM]->(s:State) | s.id] AS states, "
        "[(n)-[:ABOUT]->(a:Alliance) | a.id] AS alliances, "
        "[(n)-[:ABOUT]->(c:Category) | c.id] AS categories, "
        "[(n)-[:ABOUT]->(k:Contract) | k.id] AS contracts, "
        "[(n)-[:PART_OF]->(p:Practice) | p.id] AS practices, " + _LINK_NAMES + " ORDER BY n.id"
    ),
    "Contract": (
        "MATCH (n:Contract) WHERE $all OR n.id IN $ids "
        "RETURN n.id AS id, n.title AS title, n.number AS number, n.description AS description, "
        "n.status AS status, toString(n.startsOn) AS date, "
        "[(s:State)-[:LEADS|PARTICIPATES_IN]->(n) | s.id] AS states, "
        "[(a:Alliance)-[:AWARDED]->(n) | a.id] AS alliances, "
        "[(n)-[:COVERS]->(c:Category) | c.id] AS categories, "
        "[] AS contracts, [] AS practices, "
        "[(a:Alliance)-[:AWARDED]->(n) | a.name + ' ' + coalesce(a.acronym, '')] + "
        "[(s:State)-[:LEADS]->(n) | s.name] + [(n)-[:COVERS]->(c:Category) | c.name] AS names "
        "ORDER BY n.id"
    ),
}

# Documents whose text carries the name of a node of each linked label.
_LINKED: dict[str, LiteralString] = {
    "State": "MATCH (x:State)-[:SHARED_BY|FROM|LEADS]-(d) WHERE x.id IN $ids "
    "AND (d:Practice OR d:Lesson OR d:Contract) RETURN DISTINCT labels(d) AS labels, d.id AS id",
    "Alliance": "MATCH (x:Alliance)-[:SHARED_BY|ABOUT|AWARDED]-(d) WHERE x.id IN $ids "
    "AND (d:Practice OR d:Lesson OR d:Contract) RETURN DISTINCT labels(d) AS labels, d.id AS id",
    "Category": "MATCH (x:Category)-[:APPLIES_TO|ABOUT|COVERS]-(d) WHERE x.id IN $ids "
    "AND (d:Practice OR d:Lesson OR d:Contract) RETURN DISTINCT labels(d) AS labels, d.id AS id",
    "Contract": "MATCH (x:Contract)-[:REFERENCES|ABOUT]-(d) WHERE x.id IN $ids "
    "AND (d:Practice OR d:Lesson) RETURN DISTINCT labels(d) AS labels, d.id AS id",
    "Practice": "MATCH (x:Practice)<-[:PART_OF]-(d:Lesson) WHERE x.id IN $ids "
    "RETURN DISTINCT labels(d) AS labels, d.id AS id",
}

_NEIGHBOURS: dict[str, LiteralString] = {
    "practice": (
        "MATCH (p:Practice {id: $id}) CALL (p) { "
        "MATCH (p)-[:RELATED_TO|PREREQUISITE_OF]-(o:Practice) RETURN o, 3.0 AS w "
        "UNION ALL MATCH (o:Lesson)-[:PART_OF]->(p) RETURN o, 3.0 AS w "
        "UNION ALL MATCH (p)-[:APPLIES_TO|REFERENCES]->()<-[:APPLIES_TO|REFERENCES]-(o:Practice) "
        "RETURN o, 1.0 AS w "
        "UNION ALL MATCH (p)-[:SHARED_BY]->(:Alliance)<-[:SHARED_BY]-(o:Practice) RETURN o, 0.5 AS w "
        "UNION ALL MATCH (p)-[:APPLIES_TO|REFERENCES]->()<-[:ABOUT]-(o:Lesson) RETURN o, 0.5 AS w "
        "} WITH p, o, sum(w) AS weight WHERE o <> p "
        "RETURN CASE WHEN o:Practice THEN 'practice' ELSE 'lesson' END AS kind, o.id AS id, weight "
        "ORDER BY weight DESC, id LIMIT $limit"
    ),
    "lesson": (
        "MATCH (l:Lesson {id: $id}) CALL (l) { "
        "MATCH (l)-[:PART_OF]->(o:Practice) RETURN o, 3.0 AS w "
        "UNION ALL MATCH (l)-[:PART_OF]->(:Practice)<-[:PART_OF]-(o:Lesson) RETURN o, 2.0 AS w "
        "UNION ALL MATCH (l)-[:ABOUT]->(:Contract)<-[:ABOUT|REFERENCES]-(o) RETURN o, 2.0 AS w "
        "UNION ALL MATCH (l)-[:ABOUT]->(:Category)<-[:ABOUT|APPLIES_TO]-(o) RETURN o, 1.0 AS w "
        "UNION ALL MATCH (l)-[:ABOUT]->(:Alliance)<-[:ABOUT]-(o:Lesson) RETURN o, 0.5 AS w "
        "UNION ALL MATCH (l)-[:FROM]->(:State)<-[:FROM]-(o:Lesson) RETURN o, 0.5 AS w "
        "} WITH l, o, sum(w) AS weight WHERE o <> l AND (o:Practice OR o:Lesson) "
        "RETURN CASE WHEN o:Practice THEN 'practice' ELSE 'lesson' END AS kind, o.id AS id, weight "
        "ORDER BY weight DESC, id LIMIT $limit"
    ),
}


def _strings(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(dict.fromkeys(str(v) for v in value if v is not None and str(v).strip()))


def _links(row: Row) -> Links:
    return Links(
        states=_strings(row["states"]),
        alliances=_strings(row["alliances"]),
        categories=_strings(row["categories"]),
        contracts=_strings(row["contracts"]),
        practices=_strings(row["practices"]),
        names=_strings(row["names"]),
    )


def _document(label: str, row: Row) -> SearchDoc:
    if label == "Practice":
        return PracticeDoc(
            id=row["id"],
            title=row["title"] or "",
            summary=row["summary"] or "",
            body=row["body"] or "",
            focus_area=row["focusArea"],
            tags=_strings(row["tags"]),
            published_on=row["date"],
            links=_links(row),
        )
    if label == "Lesson":
        return LessonDoc(
            id=row["id"],
            title=row["title"] or "",
            context=row["context"] or "",
            lesson=row["lesson"] or "",
            recommendation=row["recommendation"] or "",
            status=row["status"],
            tags=_strings(row["tags"]),
            recorded_on=row["date"],
            links=_links(row),
        )
    return ContractDoc(
        id=row["id"],
        title=row["title"] or "",
        number=row["number"],
        description=row["description"] or "",
        status=row["status"],
        starts_on=row["date"],
        links=_links(row),
    )


def read_documents(
    graph: Graph, label: str, ids: Iterable[str] | None = None, timeout: float | None = None
) -> list[SearchDoc]:
    """The ``label`` nodes (Practice, Lesson or Contract) with the given ids, or all of
    them when ``ids`` is None, ordered by id. Ids that match nothing are left out."""
    if label not in _READS:
        raise ValueError(f"label {label!r} is not indexed; expected one of {', '.join(_READS)}")
    query = _READS[label]
    id_list = None if ids is None else list(ids)
    rows = graph.execute_read(
        lambda tx: tx.run(query, all=id_list is None, ids=id_list or []), timeout=timeout
    )
    return [_document(label, row) for row in rows]


def linked_documents(graph: Graph, label: str, ids: Iterable[str]) -> dict[str, list[str]]:
    """Ids of the practices, lessons and contracts (by label) whose indexed text names one
    of the ``label`` nodes given; empty for a label that no document names."""
    query = _LINKED.get(label)
    id_list = list(ids)
    if query is None or not id_list:
        return {}
    found: dict[str, list[str]] = {}
    for row in graph.read(query, ids=id_list):
        doc_label = next(x for x in row["labels"] if x in INDEXED_LABELS)
        found.setdefault(doc_label, []).append(row["id"])
    return found


def neighbours(graph: Graph, kind: str, id: str, limit: int = 20) -> list[Neighbour]:
    """Practices and lessons near the practice or lesson ``id`` in the graph, heaviest
    first: its own practice or lessons, linked practices, shared contracts, categories,
    alliances and states, each path adding to the weight."""
    query = _NEIGHBOURS.get(kind)
    if query is None:
        raise ValueError(f"kind {kind!r} has no neighbours; expected practice or lesson")
    rows = graph.read(query, id=id, limit=limit)
    return [Neighbour(row["kind"], row["id"], float(row["weight"])) for row in rows]
