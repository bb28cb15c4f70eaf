"""Reads that let search understand a query: the names of the things it may name, and
the contracts a state could join.

Search ranks a lesson higher when it is linked to the state, category, alliance or
contract the query names, and answers "which contracts can Utah join?" with contracts
first. For that it needs the names of those nodes (a few hundred, read once and cached
by the search layer) and, per question, the state's eligible contracts.

Example:
    >>> [e for e in entity_names(graph) if e.id == "UT"]
    [NamedEntity(label='State', id='UT', name='Utah')]
    >>> "nvp-cloud-solutions" in eligible_contract_ids(graph, ["UT"])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import LiteralString

from kb.domain import relationships as table
from kb.graph.db import Graph
from kb.graph.reads import related_pages
from kb.graph.records import PageRequest

_NAMES: LiteralString = (
    "MATCH (s:State) RETURN 'State' AS label, s.id AS id, s.name AS name "
    "UNION ALL MATCH (c:Category) RETURN 'Category' AS label, c.id AS id, c.name AS name "
    "UNION ALL MATCH (a:Alliance) RETURN 'Alliance' AS label, a.id AS id, a.name AS name "
    "UNION ALL MATCH (a:Alliance) WHERE a.acronym IS NOT NULL "
    "RETURN 'Alliance' AS label, a.id AS id, a.acronym AS name "
    "UNION ALL MATCH (k:Contract) RETURN 'Contract' AS label, k.id AS id, k.title AS name"
)

#: Most eligible contracts read for one question (a state belongs to a few alliances).
MAX_ELIGIBLE = 100


@dataclass(frozen=True)
class NamedEntity:
    """A node a query may name: its label, key and one of its names."""

    label: str
    id: str
    name: str


def entity_names(graph: Graph) -> list[NamedEntity]:
    """Every state, category, alliance (name and acronym) and contract title."""
    rows = graph.read(_NAMES)
    return [
        NamedEntity(str(row["label"]), str(row["id"]), str(row["name"]))
        for row in rows
        if row["name"]
    ]


def eligible_contract_ids(graph: Graph, states: Iterable[str]) -> list[str]:
    """Keys of the contracts any of ``states`` could join (``State.eligibleContracts``:
    awarded by an alliance it belongs to, not expired, neither joined nor led by it)."""
    codes = sorted(set(states))
    if not codes:
        return []
    pages = related_pages(
        graph, table.STATE_ELIGIBLE_CONTRACTS, codes, PageRequest(limit=MAX_ELIGIBLE)
    )
    return sorted({item.node.key for page in pages.values() for item in page.items})
