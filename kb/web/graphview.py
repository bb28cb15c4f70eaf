"""An SVG picture of one item's neighbourhood in the graph, every node a link.

Pure layout: the caller passes the centre and its neighbours (already read through
GraphQL); the result is an SVG string safe to embed (all text escaped). Neighbours sit on
a ring around the centre, grouped by kind so that like things sit together.

Example:
    >>> svg = neighbourhood_svg(
    ...     GraphNode("State", "UT", "Utah", "/states/UT"),
    ...     [GraphEdge(GraphNode("Contract", "nvp-cloud-solutions", "Cloud Solutions",
    ...                          "/contracts/nvp-cloud-solutions"), "LEADS", outgoing=True)],
    ... )
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

WIDTH = 720
HEIGHT = 520
RADIUS = 190
MAX_NEIGHBOURS = 24

#: Fill colours per kind, each dark enough for white text (contrast >= 4.5:1).
COLOURS = {
    "State": "#1d4e89",
    "Alliance": "#6a2c70",
    "Contract": "#0b6e4f",
    "Category": "#8a4b08",
    "Practice": "#264653",
    "Lesson": "#9b2226",
}


@dataclass(frozen=True)
class GraphNode:
    """A node to draw: its kind (label), key, text and the page it links to."""

    kind: str
    key: str
    label: str
    href: str


@dataclass(frozen=True)
class GraphEdge:
    """A relationship from the centre to ``node`` (or from ``node`` to the centre)."""

    node: GraphNode
    relation: str
    outgoing: bool


def _short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _node(node: GraphNode, x: float, y: float, r: float, centre: bool = False) -> str:
    colour = COLOURS.get(node.kind, "#333333")
    label = escape(_short(node.label, 30 if centre else 22))
    title = escape(f"{node.kind}: {node.label}")
    weight = ' font-weight="bold"' if centre else ""
    return (
        f'<a href="{escape(node.href)}" class="gv-node" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}" stroke="#ffffff" '
        f'stroke-width="2"/>'
        f'<text x="{x:.1f}" y="{y + r + 14:.1f}" text-anchor="middle" font-size="12" '
        f'fill="#1a1a1a"{weight}>{label}</text>'
        f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="10" '
        f'fill="#ffffff">{escape(node.kind[:3].upper())}</text></a>'
    )


def neighbourhood_svg(centre: GraphNode, edges: list[GraphEdge]) -> str:
    """Draw ``centre`` and up to :data:`MAX_NEIGHBOURS` neighbours as an SVG document."""
    ordered = sorted(edges, key=lambda e: (e.node.kind, e.relation, e.node.label))
    shown = ordered[:MAX_NEIGHBOURS]
    hidden = len(ordered) - len(shown)
    cx, cy = WIDTH / 2, HEIGHT / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="gv-title" class="graphview">'
        f'<title id="gv-title">{escape(centre.label)} and {len(ordered)} connected '
        f"item{'s' if len(ordered) != 1 else ''}</title>"
    ]
    positions = []
    for index in range(len(shown)):
        angle = -math.pi / 2 + 2 * math.pi * index / max(len(shown), 1)
        positions.append((cx + RADIUS * math.cos(angle), cy + RADIUS * 0.82 * math.sin(angle)))
    for edge, (x, y) in zip(shown, positions, strict=True):
        mx, my = (cx + x) / 2, (cy + y) / 2
        arrow = "\u2192" if edge.outgoing else "\u2190"
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#8a8a8a" '
            f'stroke-width="1.5"/>'
            f'<text x="{mx:.1f}" y="{my - 3:.1f}" text-anchor="middle" font-size="9" '
            f'fill="#4a4a4a">{escape(edge.relation)} {arrow}</text>'
        )
    for edge, (x, y) in zip(shown, positions, strict=True):
        parts.append(_node(edge.node, x, y, 16))
    parts.append(_node(centre, cx, cy, 26, centre=True))
    if hidden:
        parts.append(
            f'<text x="{WIDTH - 12}" y="{HEIGHT - 12}" text-anchor="end" font-size="12" '
            f'fill="#1a1a1a">and {hidden} more</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
