"""An SVG picture of one item's neighbourhood in the graph, every node a link.

Pure layout: the caller passes the centre and its neighbours (already read through
GraphQL); the result is an SVG string safe to embed (all text escaped). A neighbour
reached by several relationships (Utah leads Cloud Solutions and takes part in it) is one
node with every relationship under its name. Neighbours sit in one column per kind, at
most :data:`MAX_PER_GROUP` to a column with "and N more" linking to the full list, so
that no two labels overlap whatever the neighbourhood's size.

Example:
    >>> svg = neighbourhood_svg(
    ...     GraphNode("State", "UT", "Utah", "/states/UT"),
    ...     [GraphEdge(GraphNode("Contract", "nvp-cloud-solutions", "Cloud Solutions",
    ...                          "/contracts/nvp-cloud-solutions"), "LEADS", outgoing=True)],
    ... )
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 720
#: The most labelled nodes in one kind's column; the rest are "and N more".
MAX_PER_GROUP = 12
ROW = 34  # px between two nodes of a column: a label line and a relationship line
TOP = 56  # px above the first row: the column headings
CENTRE_WIDTH = 170  # px of the left column, where the centre sits
CHAR = 6.6  # px: a generous width of one character at font-size 11 (for truncation)

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


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "\u2026"


@dataclass(frozen=True)
class _Neighbour:
    node: GraphNode
    relations: tuple[str, ...]  # each with its arrow, in the order first met


def _merged(edges: list[GraphEdge]) -> dict[str, list[_Neighbour]]:
    """One neighbour per (kind, key), its relationships joined; grouped by kind."""
    found: dict[tuple[str, str], tuple[GraphNode, list[str]]] = {}
    for edge in edges:
        node, relations = found.setdefault((edge.node.kind, edge.node.key), (edge.node, []))
        arrow = "\u2192" if edge.outgoing else "\u2190"
        relation = f"{edge.relation} {arrow}"
        if relation not in relations:
            relations.append(relation)
    groups: dict[str, list[_Neighbour]] = {}
    for node, relations in found.values():
        groups.setdefault(node.kind, []).append(_Neighbour(node, tuple(relations)))
    for members in groups.values():
        members.sort(key=lambda n: (n.relations, n.node.label.lower()))
    return dict(sorted(groups.items()))


def _circle(node: GraphNode, x: float, y: float, r: float) -> str:
    colour = COLOURS.get(node.kind, "#333333")
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}" stroke="#ffffff" '
        f'stroke-width="2"/>'
    )


def _plural(kind: str, count: int) -> str:
    if count == 1:
        return kind
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"


def neighbourhood_svg(
    centre: GraphNode, edges: list[GraphEdge], more: dict[str, str] | None = None
) -> str:
    """Draw ``centre`` and its neighbours as an SVG document (see the module docstring).

    Args:
        centre: the item the page is about.
        edges: its relationships; a neighbour may appear in several.
        more: per kind, the page listing all of that kind's neighbours (for "and N
            more"); the centre's own page when absent.
    """
    groups = _merged(edges)
    total = sum(len(members) for members in groups.values())
    rows = max(
        [min(len(m), MAX_PER_GROUP) + (len(m) > MAX_PER_GROUP) for m in groups.values()] or [1]
    )
    height = TOP + rows * ROW + 16
    column = (WIDTH - CENTRE_WIDTH) / max(len(groups), 1)
    limit = int((column - 30) / CHAR)
    cx, cy = CENTRE_WIDTH / 2, TOP + min(rows, 6) * ROW / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="gv-title" class="graphview">'
        f'<title id="gv-title">{escape(centre.label)} and {total} connected '
        f"item{'s' if total != 1 else ''}</title>"
    ]
    nodes: list[str] = []
    for index, (kind, members) in enumerate(groups.items()):
        left = CENTRE_WIDTH + index * column + 14
        parts.append(
            f'<text x="{left - 8:.1f}" y="{TOP - 24}" font-size="11" font-weight="bold" '
            f'fill="#1a1a1a" class="gv-heading">{escape(_plural(kind, len(members)))} '
            f"({len(members)})</text>"
        )
        for row, neighbour in enumerate(members[:MAX_PER_GROUP]):
            x, y = left, TOP + row * ROW
            parts.append(
                f'<line x1="{cx + 26:.1f}" y1="{cy:.1f}" x2="{x - 7:.1f}" y2="{y:.1f}" '
                f'stroke="#c4c4c4" stroke-width="1"/>'
            )
            node = neighbour.node
            relations = _short(", ".join(neighbour.relations), int(limit * 1.2))
            title = escape(f"{node.kind}: {node.label} ({', '.join(neighbour.relations)})")
            nodes.append(
                f'<a href="{escape(node.href)}" class="gv-node" aria-label="{title}">'
                f"<title>{title}</title>{_circle(node, x, y, 7)}"
                f'<text x="{x + 12:.1f}" y="{y + 4:.1f}" font-size="11" fill="#1a1a1a" '
                f'class="gv-label">{escape(_short(node.label, limit))}</text>'
                f'<text x="{x + 12:.1f}" y="{y + 17:.1f}" font-size="9" fill="#4a4a4a" '
                f'class="gv-relation">{escape(relations)}'
                "</text></a>"
            )
        hidden = len(members) - MAX_PER_GROUP
        if hidden > 0:
            href = (more or {}).get(kind, centre.href)
            y = TOP + MAX_PER_GROUP * ROW
            nodes.append(
                f'<a href="{escape(href)}" class="gv-more"><text x="{left:.1f}" y="{y + 4:.1f}" '
                f'font-size="11" fill="#1d4e89" text-decoration="underline">and {hidden} more'
                "</text></a>"
            )
    parts.extend(nodes)
    label = escape(_short(centre.label, 22))
    title = escape(f"{centre.kind}: {centre.label}")
    parts.append(
        f'<a href="{escape(centre.href)}" class="gv-node gv-centre" aria-label="{title}">'
        f"<title>{title}</title>{_circle(centre, cx, cy, 26)}"
        f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle" font-size="10" '
        f'fill="#ffffff">{escape(centre.kind[:3].upper())}</text>'
        f'<text x="{cx:.1f}" y="{cy + 44:.1f}" text-anchor="middle" font-size="12" '
        f'font-weight="bold" fill="#1a1a1a" class="gv-label">{label}</text></a>'
    )
    parts.append("</svg>")
    return "".join(parts)
