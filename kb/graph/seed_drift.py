"""What a seed must put back: the records, properties and links the graph lacks.

The seed is authoritative for what it declares. A record whose ``seedHash`` is
unchanged may still differ from its declaration in the graph: a property removed by
hand, a link lost when the node at its other end was deleted (deleting the alliance
TIPS takes the contracts' AWARDED, the lessons' ABOUT and the practices' SHARED_BY
links with it). :func:`seed_drift` reads the graph as seed records (one read
transaction, :func:`kb.graph.export.read_graph`), compares each declared record with
what the graph holds, and returns the keys to rewrite (``force``) and the counts of
what the load will create, restore and remove, per label and per relationship type.

Example:
    >>> drift = seed_drift(graph, data)
    >>> drift.links_added.get("AWARDED", 0)
    3
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kb.domain.records import SeedData
from kb.graph.db import Graph

#: The relationship type each link field of a seed row stands for.
LINK_TYPES: dict[str, dict[str, str]] = {
    "State": {},
    "Alliance": {"arm_of": "ARM_OF"},
    "Category": {"parent": "CHILD_OF"},
    "Contract": {
        "alliance": "AWARDED",
        "lead_state": "LEADS",
        "categories": "COVERS",
        "participants": "PARTICIPATES_IN",
    },
    "Practice": {
        "states": "SHARED_BY",
        "alliances": "SHARED_BY",
        "categories": "APPLIES_TO",
        "contracts": "REFERENCES",
        "related": "RELATED_TO",
        "prerequisites": "PREREQUISITE_OF",
    },
    "Vendor": {"awards": "AWARDED_UNDER"},
    "Lesson": {
        "state": "FROM",
        "alliances": "ABOUT",
        "contracts": "ABOUT",
        "categories": "ABOUT",
        "practice": "PART_OF",
    },
}
MEMBERSHIP = "MEMBER_OF"


@dataclass
class SeedDrift:
    """Per label: records declared, absent (to create), present but different (to
    restore); per relationship type: links declared, absent (to add), present on a
    restored record but not declared (to remove). ``force`` holds the keys to rewrite."""

    declared: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    restored: dict[str, int] = field(default_factory=dict)
    links_declared: dict[str, int] = field(default_factory=dict)
    links_added: dict[str, int] = field(default_factory=dict)
    links_removed: dict[str, int] = field(default_factory=dict)
    force: dict[str, set[str]] = field(default_factory=dict)

    def count(self, table: dict[str, int], key: str, amount: int = 1) -> None:
        if amount:
            table[key] = table.get(key, 0) + amount


def _ends(value: Any) -> set[str]:
    """The far ends of one link field: a key, a list of keys or of participant rows."""
    if value in (None, ""):
        return set()
    if isinstance(value, str):
        return {value}
    return {_end(item) for item in value}


def _end(item: Any) -> str:
    if isinstance(item, Mapping):  # a participant or an award row
        return str(item["state"] if "state" in item else item["contract"])
    return str(item)


def compare_rows(
    drift: SeedDrift,
    label: str,
    declared: list[dict[str, Any]],
    current: Mapping[str, dict[str, Any]],
) -> None:
    """Add to ``drift`` what writing ``declared`` rows over ``current`` ones changes."""
    drift.declared[label] = drift.declared.get(label, 0) + len(declared)
    force = drift.force.setdefault(label, set())
    for row in declared:
        now = current.get(row["id"])
        for name, rel in LINK_TYPES.get(label, {}).items():
            wanted = _ends(row["links"].get(name))
            drift.count(drift.links_declared, rel, len(wanted))
            have = set() if now is None else _ends(now["links"].get(name))
            drift.count(drift.links_added, rel, len(wanted - have))
            if now is not None and now["hash"] != row["hash"]:
                drift.count(drift.links_removed, rel, len(have - wanted))
        if now is None:
            drift.count(drift.created, label)
        elif now["hash"] != row["hash"]:
            drift.count(drift.restored, label)
            force.add(row["id"])


def compare_memberships(
    drift: SeedDrift, declared: list[dict[str, Any]], current: list[dict[str, Any]]
) -> None:
    """Memberships are links with properties: absent ones are added, changed ones restored."""
    have = {(m["state"], m["alliance"]): m["hash"] for m in current}
    drift.count(drift.links_declared, MEMBERSHIP, len(declared))
    force = drift.force.setdefault(MEMBERSHIP, set())
    for row in declared:
        key = (row["state"], row["alliance"])
        if key not in have:
            drift.count(drift.links_added, MEMBERSHIP)
        elif have[key] != row["hash"]:
            drift.count(drift.restored, MEMBERSHIP)
            force.add(f"{row['state']}|{row['alliance']}")


def seed_drift(graph: Graph, data: SeedData) -> SeedDrift:
    """Compare ``data`` with the graph (see the module docstring)."""
    from kb.graph.export import read_graph
    from kb.graph.load_rows import membership_rows, seed_rows

    current = read_graph(graph)
    now_rows = seed_rows(current)
    drift = SeedDrift()
    for label, rows in seed_rows(data).items():
        compare_rows(drift, label, rows, {row["id"]: row for row in now_rows[label]})
    compare_memberships(drift, membership_rows(data), membership_rows(current))
    return drift


def mark_forced(rows: list[dict[str, Any]], keys: set[str], membership: bool = False) -> None:
    """Flag the rows to rewrite although their ``seedHash`` is unchanged."""
    for row in rows:
        key = f"{row['state']}|{row['alliance']}" if membership else row["id"]
        if key in keys:
            row["force"] = True


_TABLES = ("declared", "created", "restored", "links_declared", "links_added", "links_removed")


def merged_drift(*parts: SeedDrift | None) -> SeedDrift:
    """One report of several loads (the seed, then its curricula)."""
    total = SeedDrift()
    for part in parts:
        if part is None:
            continue
        for name in _TABLES:
            for key, amount in getattr(part, name).items():
                total.count(getattr(total, name), key, amount)
    return total
