"""The neighbourhood picture of each kind of page, from the data its query returned."""

from __future__ import annotations

from typing import Any

from kb.web.graphview import GraphEdge, GraphNode, neighbourhood_svg

Item = dict[str, Any]


def state_node(n: Item) -> GraphNode:
    return GraphNode("State", n["code"], n["name"], f"/states/{n['code']}")


def alliance_node(n: Item) -> GraphNode:
    return GraphNode("Alliance", n["slug"], n["name"], f"/alliances/{n['slug']}")


def contract_node(n: Item) -> GraphNode:
    return GraphNode("Contract", n["slug"], n["title"], f"/contracts/{n['slug']}")


def category_node(n: Item) -> GraphNode:
    return GraphNode("Category", n["code"], f"{n['code']} {n['name']}", f"/categories/{n['code']}")


def practice_node(n: Item) -> GraphNode:
    return GraphNode("Practice", n["slug"], n["title"], f"/practices/{n['slug']}")


def lesson_node(n: Item) -> GraphNode:
    return GraphNode("Lesson", n["key"], n["title"], f"/lessons/{n['key']}")


def _nodes(item: Item, field: str) -> list[Item]:
    value = item.get(field) or {}
    if "nodes" in value:
        return list(value["nodes"])
    return [edge["node"] for edge in value.get("edges", [])]


def _edges(item: Item, field: str, make: Any, relation: str, outgoing: bool) -> list[GraphEdge]:
    return [GraphEdge(make(n), relation, outgoing) for n in _nodes(item, field)]


def _one(item: Item, field: str, make: Any, relation: str, outgoing: bool) -> list[GraphEdge]:
    value = item.get(field)
    return [GraphEdge(make(value), relation, outgoing)] if value else []


def state_graph(item: Item) -> str:
    edges = (
        _edges(item, "alliances", alliance_node, "MEMBER_OF", True)
        + _edges(item, "ledContracts", contract_node, "LEADS", True)
        + _edges(item, "participatingContracts", contract_node, "PARTICIPATES_IN", True)
    )
    code = item["code"]
    more = {"Contract": f"/contracts?state={code}", "Alliance": f"/alliances?member={code}"}
    return neighbourhood_svg(state_node(item), edges, more)


def alliance_graph(item: Item) -> str:
    edges = (
        _one(item, "parent", alliance_node, "ARM_OF", True)
        + _edges(item, "arms", alliance_node, "ARM_OF", False)
        + _edges(item, "contracts", contract_node, "AWARDED", True)
        + _edges(item, "members", state_node, "MEMBER_OF", False)
    )
    slug = item["slug"]
    more = {"State": f"/states?alliance={slug}", "Contract": f"/contracts?alliance={slug}"}
    return neighbourhood_svg(alliance_node(item), edges, more)


def contract_graph(item: Item) -> str:
    edges = (
        _one(item, "alliance", alliance_node, "AWARDED", False)
        + _one(item, "leadState", state_node, "LEADS", False)
        + _edges(item, "categories", category_node, "COVERS", True)
        + _edges(item, "practices", practice_node, "REFERENCES", False)
        + _edges(item, "participants", state_node, "PARTICIPATES_IN", False)
    )
    more = {"State": f"/contracts/{item['slug']}#participants"}
    return neighbourhood_svg(contract_node(item), edges, more)


def category_graph(item: Item) -> str:
    edges = (
        _one(item, "parent", category_node, "CHILD_OF", True)
        + _edges(item, "children", category_node, "CHILD_OF", False)
        + _edges(item, "contracts", contract_node, "COVERS", False)
        + _edges(item, "practices", practice_node, "APPLIES_TO", False)
    )
    more = {"Practice": f"/practices?category={item['code']}"}
    return neighbourhood_svg(category_node(item), edges, more)


def practice_graph(item: Item) -> str:
    edges = (
        _edges(item, "prerequisites", practice_node, "PREREQUISITE_OF", False)
        + _edges(item, "unlocks", practice_node, "PREREQUISITE_OF", True)
        + _edges(item, "related", practice_node, "RELATED_TO", True)
        + _edges(item, "categories", category_node, "APPLIES_TO", True)
        + _edges(item, "contracts", contract_node, "REFERENCES", True)
        + _edges(item, "alliances", alliance_node, "SHARED_BY", True)
        + _edges(item, "states", state_node, "SHARED_BY", True)
    )
    return neighbourhood_svg(practice_node(item), edges)


def lesson_graph(item: Item) -> str:
    edges = (
        _one(item, "state", state_node, "FROM", True)
        + _one(item, "practice", practice_node, "PART_OF", True)
        + _edges(item, "contracts", contract_node, "ABOUT", True)
        + _edges(item, "alliances", alliance_node, "ABOUT", True)
        + _edges(item, "categories", category_node, "ABOUT", True)
    )
    return neighbourhood_svg(lesson_node(item), edges)
