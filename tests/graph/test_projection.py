"""Planned statements (kb.graph.projection) answer what the per-level reads answer."""

from __future__ import annotations

from kb.domain.relationships import (
    ALLIANCE_CONTRACTS,
    STATE_ALLIANCES,
    STATE_ELIGIBLE_CONTRACTS,
)
from kb.graph.db import Graph
from kb.graph.projection import Const, NodePlan, Prop, Rel, project, read_items
from kb.graph.reads import list_nodes, related_pages
from kb.graph.records import PageRequest


def test_a_nested_plan_is_one_statement_with_the_per_level_answer(seeded_graph: Graph) -> None:
    contracts = Rel("firstContracts", ALLIANCE_CONTRACTS, NodePlan((Prop("id", "id"),)), limit=3)
    plan = NodePlan((Const("__typename", "Alliance"), Prop("key", "id"), contracts))
    statement = project("Alliance", plan, limit=4)
    assert statement is not None
    before = seeded_graph.query_count
    items = read_items(seeded_graph, statement)
    assert seeded_graph.query_count - before == 1
    page = list_nodes(seeded_graph, "Alliance", PageRequest(limit=4))
    assert [item["key"] for item in items] == [i.node.props["id"] for i in page.items]
    assert {item["__typename"] for item in items} == {"Alliance"}
    keys = [i.node.key for i in page.items]
    related = related_pages(seeded_graph, ALLIANCE_CONTRACTS, keys, PageRequest(limit=3))
    for key, item in zip(keys, items, strict=True):
        want = [i.node.props["id"] for i in related[key].items] if key in related else []
        assert [c["id"] for c in item["firstContracts"]] == want
    assert any(item["firstContracts"] for item in items)


def test_memberships_are_those_current_today(seeded_graph: Graph) -> None:
    alliances = Rel("alliances", STATE_ALLIANCES, NodePlan((Prop("id", "id"),)))
    statement = project("State", NodePlan((Prop("key", "code"), alliances)), limit=60)
    assert statement is not None
    items = read_items(seeded_graph, statement)
    keys = [item["key"] for item in items]
    related = related_pages(seeded_graph, STATE_ALLIANCES, keys, PageRequest(limit=1000))
    for item in items:
        page = related.get(item["key"])
        want = [i.node.props["id"] for i in page.items] if page else []
        assert [a["id"] for a in item["alliances"]] == want
    assert any(item["alliances"] for item in items)


def test_derived_relationships_are_not_planned() -> None:
    plan = NodePlan((Rel("eligible", STATE_ELIGIBLE_CONTRACTS, NodePlan((Prop("id", "id"),))),))
    assert project("State", plan) is None


def test_keys_that_are_not_identifiers_are_not_planned() -> None:
    assert project("State", NodePlan((Prop("x` }) MATCH (m", "id"),))) is None
