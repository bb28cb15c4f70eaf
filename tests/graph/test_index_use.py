"""Every Cypher statement the web pages and the docs/api.md examples send uses an index
where one could serve: EXPLAIN shows no label scan (NodeByLabelScan, AllNodesScan) over
a large label (Lesson, Practice, Contract), except those listed in EXCEPTIONS with why.

The statements are captured with ``Graph.observers`` while the pages' documents
(kb/web/queries.py, unfiltered and with each facet the listing pages offer) and the
guide's examples run through the schema against the seed: once by plain execution
(planner off), once through the planner (kb/graph/projection.py); and again with the
large labels grown to 100 times the seed (:func:`_grow`), where Neo4j's planner weighs
scans against seeks with other counts (issue 13 item 4: 100x the seed).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

from kb.api.schema import build_schema
from kb.config import Settings
from kb.graph.db import Graph
from kb.web import queries
from tests.docs_support import graphql_examples

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_support import EDITOR, execute

LARGE = ("Lesson", "Practice", "Contract")
SCANS = ("NodeByLabelScan", "AllNodesScan")

#: (a fragment of the statement, label scanned): why no index can serve it.
EXCEPTIONS: dict[tuple[str, str], str] = {
    # kb/graph/writes.py _TITLE_TAKEN, on each create or retitle of a practice or lesson.
    ("toLower(n.title) = toLower($title)", "Practice"): (
        "titles are unique ignoring case: no Neo4j index serves toLower(n.title) (it would "
        "need a stored folded title, kept by every write path)"
    ),
    ("toLower(n.title) = toLower($title)", "Lesson"): "as for Practice: the same statement",
}


#: How many times the seed the large labels are grown to for the plans at scale.
COPIES = 100

# Cypher in a test: bulk test data the API would write one record at a time. Each copy
# of a seed node keeps its properties (new id, slug and title) and its relationships to
# the nodes it was linked to (their types and properties), as bench/synthetic.py grows
# the seed for the benches (issue 13 item 4), without its text mixing.
_ORIGINAL = "(x.id IS NULL OR NOT x.id STARTS WITH 'S-')"  # not a copy made before
_GROW = (
    "MATCH (o:{label}) WHERE NOT o.id STARTS WITH 'S-' "
    "UNWIND range(1, $copies - 1) AS k "
    "CALL (o, k) {{ CREATE (n:{label}) SET n = o {{.*, id: 'S-' + k + '-' + o.id, "
    "title: o.title + ' (' + k + ')', slug: o.slug + '-s' + k}} "
    "WITH o, n CALL (o, n) {{ MATCH (o)-[r]->(x) WHERE {original} "
    "CREATE (n)-[s:$(type(r))]->(x) SET s = properties(r) }} "
    "CALL (o, n) {{ MATCH (o)<-[r]-(x) WHERE {original} "
    "CREATE (x)-[s:$(type(r))]->(n) SET s = properties(r) }} }} IN TRANSACTIONS OF 500 ROWS"
)


def _grow(graph: Graph, copies: int) -> dict[str, int]:
    """The large labels at ``copies`` times the seed's nodes; their counts afterwards.
    Query plans cached for the seed's counts are dropped."""
    with graph.driver.session(database=graph.database) as session:
        for label in LARGE:
            statement = _GROW.format(label=label, original=_ORIGINAL)
            session.run(statement, copies=copies).consume()
        session.run("CALL db.resampleOutdatedIndexes()").consume()
        session.run("CALL db.awaitIndexes(300)").consume()
        session.run("CALL db.clearQueryCaches()").consume()
    return {label: graph.read(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"] for label in LARGE}


def _shrink(graph: Graph) -> None:
    """Remove the copies :func:`_grow` made."""
    with graph.driver.session(database=graph.database) as session:
        for label in LARGE:
            session.run(
                f"MATCH (n:{label}) WHERE n.id STARTS WITH 'S-' "
                "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS"
            ).consume()


def _scans(plan: dict[str, Any]) -> list[str]:
    found = []
    operator = plan["operatorType"].split("@")[0]
    details = str(plan.get("args", {}).get("Details", ""))
    if operator in SCANS:
        found += [label for label in LARGE if f":{label}" in details or operator == "AllNodesScan"]
    for child in plan.get("children", []):
        found += _scans(child)
    return found


def _page_documents(graph: Graph) -> list[tuple[str, dict[str, Any]]]:
    keys = graph.read(
        "MATCH (a:Alliance) WITH a LIMIT 1 MATCH (c:Contract) WITH a, c LIMIT 1 "
        "MATCH (g:Category) WITH a, c, g LIMIT 1 MATCH (p:Practice) WITH a, c, g, p LIMIT 1 "
        "MATCH (l:Lesson) RETURN a.slug AS a, c.slug AS c, g.code AS g, p.slug AS p, l.id AS l "
        "LIMIT 1"
    )[0]
    return [
        (queries.STATE, {"code": "UT"}),
        (queries.ALLIANCE, {"slug": keys["a"]}),
        (queries.CONTRACT, {"slug": keys["c"]}),
        (queries.CATEGORY, {"code": keys["g"]}),
        (queries.PRACTICE, {"slug": keys["p"]}),
        (queries.LESSON, {"id": keys["l"]}),
        (queries.STATES, {}),
        (queries.ALLIANCES, {}),
        (queries.CONTRACTS, {"first": 20}),
        (queries.LESSONS, {"first": 20}),
        (queries.LESSON_OPTIONS, {}),
        (queries.CONTRACT_OPTIONS, {}),
        (queries.CATEGORIES, {}),
        (queries.PRACTICES, {}),
        (queries.HOME, {}),
        # The listing pages' facets and sorts (kb/web/listings.py), one at a time.
        (queries.CONTRACTS, {"first": 50, "where": {"alliance": keys["a"]}}),
        (queries.CONTRACTS, {"first": 50, "where": {"status": ["ACTIVE"]}}),
        (queries.CONTRACTS, {"first": 50, "where": {"participatingState": "UT"}}),
        (queries.CONTRACTS, {"first": 50, "orderBy": "ENDS_ON_ASC"}),
        (queries.LESSONS, {"first": 20, "where": {"state": "UT"}}),
        (queries.LESSONS, {"first": 20, "where": {"category": keys["g"]}}),
        (queries.LESSONS, {"first": 20, "where": {"status": ["LESSON_LEARNED"]}}),
        (queries.LESSONS, {"first": 20, "orderBy": "RECORDED_ON_DESC"}),
    ]


def _sent_statements(graph: Graph, settings: Settings, planner: str) -> dict[str, dict[str, Any]]:
    """Every statement the pages and the guide's examples send (first parameters of each)."""
    schema = build_schema()
    # A generous budget: this test checks plans, not speed (a shared machine is slow).
    settings = dataclasses.replace(settings, request_budget=120.0, planner=planner)
    sent: dict[str, dict[str, Any]] = {}
    timeout, graph.tx_timeout = graph.tx_timeout, 120.0

    def observe(query: str, params: dict[str, Any]) -> None:
        sent.setdefault(query, dict(params))

    documents = _page_documents(graph)  # its own statement is not captured
    graph.observers.append(observe)
    try:
        for document, variables in documents:
            result = execute(schema, graph, settings, document, variables)
            # Fields served by the search index (relatedItems) have no index here; the
            # statements of everything else are still sent and captured.
            failed = [e for e in result.errors if "search is not available" not in e["message"]]
            assert failed == [], (document[:60], variables, failed)
        for example in graphql_examples("api.md"):
            execute(schema, graph, settings, example, None, EDITOR)
    finally:
        graph.observers.clear()
        graph.tx_timeout = timeout
    assert len(sent) >= 10, f"only {len(sent)} statements captured"
    return sent


def _offending(graph: Graph, sent: dict[str, dict[str, Any]]) -> list[str]:
    offending = []
    with graph.driver.session(database=graph.database) as session:
        for statement, params in sent.items():
            plan = session.run("EXPLAIN " + statement, params).consume().plan
            assert plan is not None, statement
            for label in _scans(dict(plan)):
                if not any(f in statement and lab == label for f, lab in EXCEPTIONS):
                    offending.append(f"{label}: {statement}")
    return offending


def test_scans_are_found_in_a_plan(seeded_graph: Graph) -> None:
    """The check itself: an unindexed read is reported, a key lookup is not."""
    with seeded_graph.driver.session(database=seeded_graph.database) as session:
        scan = session.run("EXPLAIN MATCH (n:Lesson) RETURN n.title").consume().plan
        seek = session.run("EXPLAIN MATCH (n:Lesson {id: $id}) RETURN n.title", id="x")
        assert scan is not None
        assert _scans(dict(scan)) == ["Lesson"]
        assert _scans(dict(seek.consume().plan or {})) == []


def test_page_and_guide_statements_use_indexes(seeded_graph: Graph, settings: Settings) -> None:
    sent = _sent_statements(seeded_graph, settings, "off")
    offending = _offending(seeded_graph, sent)
    assert offending == [], "label scans over large labels:\n" + "\n\n".join(offending)


# The planner's statements (kb/graph/projection.py): its root lists take the total from
# the count store and the page from the id index when nothing filters, and lead with the
# filters' index seeks (kb.graph.filters.list_match) when something does.
def test_planner_statements_use_indexes(seeded_graph: Graph, settings: Settings) -> None:
    sent = _sent_statements(seeded_graph, settings, "on")
    offending = _offending(seeded_graph, sent)
    assert offending == [], "label scans over large labels:\n" + "\n\n".join(offending)


def test_statements_use_indexes_at_100x_the_seed(seeded_graph: Graph, settings: Settings) -> None:
    """The same statements (plain execution's and the planner's), planned by Neo4j over
    100 times the seed's contracts, practices and lessons (the next test's ``graph``
    fixture empties the graph, once the copies are gone).

    The statements are captured over the seed and only EXPLAINed at 100x: a statement
    depends on the document, not on the data (the size-dependent choices, such as
    :func:`kb.graph.ordered.bounded_related`'s walk, are made inside the Cypher), and
    executing every page at 100x would cost minutes for no other plan."""
    sent = {
        **_sent_statements(seeded_graph, settings, "off"),
        **_sent_statements(seeded_graph, settings, "on"),
    }
    seed = _grow(seeded_graph, 1)
    try:
        sizes = _grow(seeded_graph, COPIES)
        assert sizes == {label: n * COPIES for label, n in seed.items()}, (seed, sizes)
        offending = _offending(seeded_graph, sent)
    finally:  # in batches: one DETACH DELETE of it all outgrows the test server's memory
        _shrink(seeded_graph)
    assert offending == [], "label scans over large labels:\n" + "\n\n".join(offending)
