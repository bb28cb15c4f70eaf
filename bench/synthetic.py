"""Synthetic data for the benches: the seed grown to N times its size, same shape.

:func:`expand` adds (N - 1) copies of every seed contract, practice and lesson, each
copy mixing the text of other seed records and linked to the same real states,
alliances and categories as its original (contracts: AWARDED, LEADS, COVERS; practices:
SHARED_BY, APPLIES_TO; lessons: FROM, PART_OF). Synthetic ids start with ``S-`` so a
new call removes the previous expansion first. Writes go straight to Neo4j (no change
log): the benches that use it read, they do not check the search index.

Cypher appears here, outside kb/graph, on purpose: bench data, not application code.
"""

from __future__ import annotations

from typing import Any

from kb.graph.db import Graph
from kb.graph.property_counts import refresh

BATCH = 2000


def _write(graph: Graph, statement: str, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        graph.execute_write(
            lambda tx, batch=rows[start : start + BATCH]: tx.run(statement, rows=batch),  # type: ignore[misc]
            timeout=600,
        )


def _copies(
    seed: list[dict[str, Any]], copies: int, mixed: tuple[str, ...]
) -> list[dict[str, Any]]:
    """(copies - 1) rows per seed row: new id, slug and title; each ``mixed`` field
    taken from another seed row (the i-th field from k * (i + 1) rows on)."""
    count = len(seed)
    return [
        {
            **row,
            "copy": f"S-{k:03d}-{row['id']}",
            "slug": f"{row['slug']}-s{k}",
            "title": f"{row['title']} ({k})",
            **{name: seed[(i + (j + 1) * k) % count][name] for j, name in enumerate(mixed)},
        }
        for k in range(1, copies)
        for i, row in enumerate(seed)
    ]


def expand_lessons(graph: Graph, copies: int) -> None:
    """Add (copies - 1) synthetic lessons per seed lesson, mixing sentences of others."""
    graph.write("MATCH (n:Lesson) WHERE n.id STARTS WITH 'S-' DETACH DELETE n")
    if copies <= 1:
        return
    seed = graph.read(
        "MATCH (n:Lesson)-[:FROM]->(s:State) RETURN n.id AS id, n.title AS title, "
        "n.context AS context, n.lesson AS lesson, n.recommendation AS rec, n.tags AS tags, "
        "s.id AS state ORDER BY n.id"
    )
    count = len(seed)
    rows = []
    for k in range(1, copies):
        for i, row in enumerate(seed):
            rows.append(
                {
                    "id": f"S-{k:03d}-{row['id']}",
                    "title": f"{row['title']} ({k})",
                    "context": seed[(i + k) % count]["context"],
                    "lesson": seed[(i + 2 * k) % count]["lesson"],
                    "rec": seed[(i + 3 * k) % count]["rec"],
                    "tags": seed[(i + k) % count]["tags"],
                    "state": row["state"],
                    "recorded": f"20{10 + (i + k) % 15:02d}-0{1 + k % 9}-1{k % 10}",
                }
            )
    _write(
        graph,
        "UNWIND $rows AS r CREATE (n:Lesson {id: r.id, title: r.title, context: r.context, "
        "lesson: r.lesson, recommendation: r.rec, tags: r.tags, "
        "recordedOn: date(r.recorded), status: 'OBSERVATION'}) "
        "WITH n, r MATCH (s:State {id: r.state}) CREATE (n)-[:FROM]->(s)",
        rows,
    )


def expand_contracts(graph: Graph, copies: int) -> None:
    """Add (copies - 1) synthetic contracts per seed contract, with the same alliance,
    lead state and categories as the original."""
    graph.write("MATCH (n:Contract) WHERE n.id STARTS WITH 'S-' DETACH DELETE n")
    if copies <= 1:
        return
    seed = graph.read(
        "MATCH (n:Contract) WHERE NOT n.id STARTS WITH 'S-' RETURN n.id AS id, n.slug AS slug, "
        "n.title AS title, n.description AS description, n.status AS status, "
        "n.startsOn AS startsOn, n.endsOn AS endsOn ORDER BY n.id"
    )
    rows = _copies(seed, copies, ("description",))
    _write(
        graph,
        "UNWIND $rows AS r MATCH (o:Contract {id: r.id}) "
        "CREATE (n:Contract {id: r.copy, slug: r.slug, title: r.title, description: r.description, "
        "status: r.status, startsOn: r.startsOn, endsOn: r.endsOn}) "
        "WITH o, n "
        "CALL { WITH o, n MATCH (a:Alliance)-[:AWARDED]->(o) CREATE (a)-[:AWARDED]->(n) } "
        "CALL { WITH o, n MATCH (s:State)-[:LEADS]->(o) CREATE (s)-[:LEADS]->(n) } "
        "CALL { WITH o, n MATCH (o)-[:COVERS]->(g:Category) CREATE (n)-[:COVERS]->(g) }",
        rows,
    )


def expand_practices(graph: Graph, copies: int) -> None:
    """Add (copies - 1) synthetic practices per seed practice, shared by the same states
    and alliances and applying to the same categories as the original."""
    graph.write("MATCH (n:Practice) WHERE n.id STARTS WITH 'S-' DETACH DELETE n")
    if copies <= 1:
        return
    seed = graph.read(
        "MATCH (n:Practice) WHERE NOT n.id STARTS WITH 'S-' RETURN n.id AS id, n.slug AS slug, "
        "n.title AS title, n.summary AS summary, n.body AS body, n.tags AS tags, "
        "n.publishedOn AS publishedOn ORDER BY n.id"
    )
    rows = _copies(seed, copies, ("summary", "body"))
    _write(
        graph,
        "UNWIND $rows AS r MATCH (o:Practice {id: r.id}) "
        "CREATE (n:Practice {id: r.copy, slug: r.slug, title: r.title, summary: r.summary, "
        "body: r.body, tags: r.tags, publishedOn: r.publishedOn}) "
        "WITH o, n CALL { WITH o, n MATCH (o)-[:SHARED_BY]->(x) CREATE (n)-[:SHARED_BY]->(x) } "
        "CALL { WITH o, n MATCH (o)-[:APPLIES_TO]->(g:Category) CREATE (n)-[:APPLIES_TO]->(g) }",
        rows,
    )


LABELS = ("Contract", "Practice", "Lesson")


def expand(graph: Graph, copies: int) -> dict[str, int]:
    """The graph at ``copies`` times the seed's contracts, practices and lessons; returns
    the node count of each label afterwards."""
    expand_contracts(graph, copies)
    expand_practices(graph, copies)
    expand_lessons(graph, copies)
    refresh(graph)  # written around the API's writers: recount, as `kb serve` does at start
    return sizes(graph)


def sizes(graph: Graph) -> dict[str, int]:
    """The node count of each label :func:`expand` grows."""
    return {
        label: graph.read(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"]  # type: ignore[arg-type]
        for label in LABELS
    }


def sizes_at(graph: Graph, copies: int) -> dict[str, int]:
    """What :func:`sizes` gives once :func:`expand` made ``copies`` (from the seed
    nodes present; all zero when there are none)."""
    return {
        label: copies
        * graph.read(  # type: ignore[arg-type]
            f"MATCH (n:{label}) WHERE NOT n.id STARTS WITH 'S-' RETURN count(n) AS n"
        )[0]["n"]
        for label in LABELS
    }
