"""Neighbourhood pictures: each neighbour once (with all its relationships), at most
MAX_PER_GROUP labelled nodes per kind with "and N more", and no two labels overlapping."""

from __future__ import annotations

import html
import re
from collections import Counter
from itertools import combinations

import httpx

from kb.seed import SeedData
from kb.web.graphview import MAX_PER_GROUP, GraphEdge, GraphNode, neighbourhood_svg

HTML = {"accept": "text/html"}
Box = tuple[float, float, float, float]


def _picture(server: str, path: str) -> str:
    response = httpx.get(f"{server}{path}", headers=HTML, timeout=30)
    assert response.status_code == 200
    return response.text.split('<svg xmlns="http://www.w3.org/2000/svg"', 1)[1].split("</svg>")[0]


def _nodes(svg: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" class="gv-node"', svg)


def _label_boxes(svg: str) -> list[Box]:
    """Each <text>'s box, taking a character as 0.6 of the font size (wider than the
    average of a sans-serif face) and the font size as its height."""
    boxes = []
    for attrs, text in re.findall(r"<text ([^>]*)>([^<]*)</text>", svg):
        values = dict(re.findall(r'([a-z-]+)="([^"]*)"', attrs))
        size = float(values["font-size"])
        width = len(html.unescape(text)) * size * 0.6
        x, y = float(values["x"]), float(values["y"])
        if values.get("text-anchor") == "middle":
            x -= width / 2
        elif values.get("text-anchor") == "end":
            x -= width
        boxes.append((x, y - size, x + width, y))
    return boxes


def _overlapping(boxes: list[Box]) -> list[tuple[Box, Box]]:
    return [
        (a, b)
        for a, b in combinations(boxes, 2)
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]


def test_a_neighbour_reached_twice_is_one_node_with_both_relationships() -> None:
    cloud = GraphNode("Contract", "c", "Cloud Solutions", "/contracts/c")
    svg = neighbourhood_svg(
        GraphNode("State", "UT", "Utah", "/states/UT"),
        [GraphEdge(cloud, "LEADS", True), GraphEdge(cloud, "PARTICIPATES_IN", True)],
    )
    assert _nodes(svg).count("/contracts/c") == 1
    assert "LEADS \u2192, PARTICIPATES_IN \u2192" in svg


def test_utahs_picture_shows_each_neighbour_once(server: str, seed_data: SeedData) -> None:
    led = {c.slug for c in seed_data.contracts if c.lead_state == "UT"}
    joined = {c.slug for c in seed_data.contracts if any(p.state == "UT" for p in c.participants)}
    assert led & joined, "the seed has a contract Utah both leads and joins"
    svg = _picture(server, "/states/UT")
    counts = Counter(_nodes(svg))
    assert max(counts.values()) == 1, [href for href, n in counts.items() if n > 1]
    shown = {href.removeprefix("/contracts/") for href in counts if href.startswith("/contracts/")}
    assert shown == (led | joined) or len(shown) == MAX_PER_GROUP
    assert not _overlapping(_label_boxes(svg))


def test_a_large_neighbourhood_is_capped_per_kind(server: str, seed_data: SeedData) -> None:
    members = {m.state for m in seed_data.memberships if m.alliance == "naspo-valuepoint"}
    assert len(members) > MAX_PER_GROUP
    svg = _picture(server, "/alliances/naspo-valuepoint")
    states = [href for href in _nodes(svg) if href.startswith("/states/")]
    contracts = [href for href in _nodes(svg) if href.startswith("/contracts/")]
    assert len(states) == MAX_PER_GROUP and len(contracts) <= MAX_PER_GROUP
    mores = {
        html.unescape(m.group(1)): int(m.group(2))
        for m in re.finditer(r'<a href="([^"]+)" class="gv-more"><text[^>]*>and (\d+) more', svg)
    }
    assert mores.get("/states?alliance=naspo-valuepoint", 0) > 0, mores
    assert not _overlapping(_label_boxes(svg))


def test_no_labels_overlap_on_any_kind_of_page(server: str) -> None:
    for path in (
        "/contracts/nvp-cloud-solutions",
        "/practices/lead-state-model",
        "/categories/920",
        "/lessons/L-0001",
    ):
        svg = _picture(server, path)
        assert _nodes(svg), path
        assert not _overlapping(_label_boxes(svg)), path
