"""Every Cypher statement the web pages and the docs/api.md examples send uses an index
where one could serve: EXPLAIN shows no label scan (NodeByLabelScan, AllNodesScan) over
a large label (Lesson, Practice, Contract), except those listed in EXCEPTIONS with why.

The statements are captured with ``Graph.observers`` while the pages' documents
(kb/web/queries.py) and the guide's examples run through the schema against the seed.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest

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
EXCEPTIONS: dict[tuple[str, str], str] = {}


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
    ]


# Known (first run, 2 Dec 2026): label or all-node scans in the listing filters
# (kb/graph/filters.py: Contract, Lesson, Practice pages), the path query (unlabelled
# `MATCH (a {id: $fromKey})`, kb/graph/paths.py), stats (`MATCH (n) UNWIND labels(n)`)
# and the duplicate-title check (`MATCH (n) WHERE (n:Practice OR n:Lesson) ...`).
# Strict: the mark must go once they are fixed (or listed in EXCEPTIONS with a reason).
@pytest.mark.xfail(strict=True, reason="label scans remain; see the comment above")
def test_page_and_guide_statements_use_indexes(seeded_graph: Graph, settings: Settings) -> None:
    schema = build_schema()
    # A generous budget: this test checks plans, not speed (a shared machine is slow).
    settings = dataclasses.replace(settings, request_budget=120.0)
    sent: dict[str, dict[str, Any]] = {}
    timeout, seeded_graph.tx_timeout = seeded_graph.tx_timeout, 120.0

    def observe(query: str, params: dict[str, Any]) -> None:
        sent.setdefault(query, dict(params))

    documents = _page_documents(seeded_graph)  # its own statement is not captured
    seeded_graph.observers.append(observe)
    try:
        for document, variables in documents:
            result = execute(schema, seeded_graph, settings, document, variables)
            # Fields served by the search index (relatedItems) have no index here; the
            # statements of everything else are still sent and captured.
            failed = [e for e in result.errors if "search is not available" not in e["message"]]
            assert failed == [], (document[:60], failed)
        for example in graphql_examples("api.md"):
            execute(schema, seeded_graph, settings, example, None, EDITOR)
    finally:
        seeded_graph.observers.clear()
        seeded_graph.tx_timeout = timeout
    assert len(sent) >= 10, f"only {len(sent)} statements captured"
    offending = []
    with seeded_graph.driver.session(database=seeded_graph.database) as session:
        for statement, params in sent.items():
            plan = session.run("EXPLAIN " + statement, params).consume().plan
            assert plan is not None, statement
            for label in _scans(dict(plan)):
                if not any(f in statement and lab == label for f, lab in EXCEPTIONS):
                    offending.append(f"{label}: {statement}")
    assert offending == [], "label scans over large labels:\n" + "\n\n".join(offending)
