"""Cycles in a directed graph: the rule behind prerequisite, category-parent and
curriculum-order checks, shared by the seed reader, imports and the curricula rules."""

from __future__ import annotations

from collections.abc import Iterable


def find_cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Cycles in a directed graph given as ``(from, to)`` edges, each as a node path."""
    graph: dict[str, list[str]] = {}
    for source, target in edges:
        graph.setdefault(source, []).append(target)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles
