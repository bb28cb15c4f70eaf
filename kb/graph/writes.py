"""Writes for the API: create, update and delete nodes, set and remove links.

Each function runs in one write transaction that also records the change entries
(see :mod:`kb.graph.changes`): existence checks, the write and the change log commit
together, or nothing does. Inputs arrive validated; the checks here are the ones
only the graph can answer (does the key exist, is the title taken).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, LiteralString

from kb.domain import relationships as table
from kb.domain.relationships import Direction, Relationship
from kb.graph.changes import record_changes
from kb.graph.db import Graph, Tx
from kb.graph.history import encode_diffs, field_diff, property_diffs
from kb.graph.records import NodeRecord


class WriteError(Exception):
    """A write the graph refuses; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DuplicateKeyError(WriteError):
    """The key (or title) is taken by another node."""


class MissingNodeError(WriteError):
    """A node the write names does not exist."""


class WriteErrors(WriteError):
    """Several refusals of one write at once (every missing reference, a taken key and
    a taken title), so that the client can fix them all in one go."""

    def __init__(self, errors: list[WriteError]) -> None:
        super().__init__("; ".join(str(e) for e in errors), errors[0].field if errors else None)
        self.errors = errors


@dataclass(frozen=True)
class Ref:
    """A node the write refers to: it must exist. ``field`` is the input path."""

    label: str
    key: str
    field: str


@dataclass(frozen=True)
class NodeWrite:
    """A validated create or update: properties (camelCase) and links to replace.

    ``links`` maps a link name of :data:`NODE_LINKS` to the keys it must point to
    afterwards (an empty list removes them all); links not named stay as they are.
    """

    label: str
    key: str
    props: dict[str, Any]
    links: dict[str, list[str]] = field(default_factory=dict)
    refs: list[Ref] = field(default_factory=list)


@dataclass(frozen=True)
class LinkSpec:
    """A link a node holds: ``pattern`` joins the holder ``n`` to a ``target`` node ``m``
    through relationship ``x``. ``required``: the holder is incomplete without one."""

    holder: LiteralString
    pattern: LiteralString
    target: LiteralString
    required: bool = False

    @property
    def clear(self) -> LiteralString:
        """Remove the holder's links of this kind."""
        return (
            "MATCH (n:" + self.holder + " {id: $id}) OPTIONAL MATCH " + self.pattern
            + " WHERE m:" + self.target + " DELETE x"
        )  # fmt: skip

    @property
    def keys(self) -> LiteralString:
        """The keys of the targets the holder with id ``$id`` is linked to."""
        return (
            "MATCH (n:" + self.holder + " {id: $id}) OPTIONAL MATCH " + self.pattern
            + " WHERE m:" + self.target + " RETURN collect(DISTINCT m.id) AS keys"
        )  # fmt: skip

    @property
    def add(self) -> LiteralString:
        """Link the holder to the targets with ids ``$keys``."""
        return (
            "MATCH (n:" + self.holder + " {id: $id}) UNWIND $keys AS k MATCH (m:"
            + self.target + " {id: k}) MERGE " + self.pattern
        )  # fmt: skip

    @property
    def holders(self) -> LiteralString:
        """The holders linked to the target with id ``$id`` (count and first keys)."""
        return (
            "MATCH (m:" + self.target + " {id: $id}) MATCH " + self.pattern
            + " WHERE n:" + self.holder
            + " WITH DISTINCT n ORDER BY n.id RETURN count(n) AS count, collect(n.id)[..20] AS keys"
        )  # fmt: skip

    @property
    def detach(self) -> LiteralString:
        """Remove these links to the target with id ``$id``; the holders' ids."""
        return (
            "MATCH (m:" + self.target + " {id: $id}) MATCH " + self.pattern
            + " WHERE n:" + self.holder + " DELETE x RETURN collect(DISTINCT n.id) AS keys"
        )  # fmt: skip


def _spec(rel: Relationship, required: bool = False) -> LinkSpec:
    """The :class:`LinkSpec` of ``rel`` from its line in the table (the node ``n``, the
    edge ``x``, the linked node ``m``). A symmetric type is stored pointing away from
    the node written."""
    if rel.type is None:
        raise ValueError(f"{rel} is derived: it cannot be written")
    edge: LiteralString = "-[x:" + rel.type + "]->"
    pattern = "(m)" + edge + "(n)" if rel.direction is Direction.IN else "(n)" + edge + "(m)"
    return LinkSpec(rel.parent, pattern, rel.target, required)


#: Links a node write may replace, by name ("Label.inputField"), and the relationship
#: of the table each one sets.
LINKED: dict[str, Relationship] = {
    "Practice.states": table.PRACTICE_STATES,
    "Practice.alliances": table.PRACTICE_ALLIANCES,
    "Practice.categories": table.PRACTICE_CATEGORIES,
    "Practice.contracts": table.PRACTICE_CONTRACTS,
    "Practice.related": table.PRACTICE_RELATED,
    "Practice.prerequisites": table.PRACTICE_PREREQUISITES,
    "Lesson.state": table.LESSON_STATE,
    "Lesson.alliances": table.LESSON_ALLIANCES,
    "Lesson.contracts": table.LESSON_CONTRACTS,
    "Lesson.categories": table.LESSON_CATEGORIES,
    "Lesson.practice": table.LESSON_PRACTICE,
    "Contract.alliance": table.CONTRACT_ALLIANCE,
    "Contract.leadState": table.CONTRACT_LEAD_STATE,
    "Contract.categories": table.CONTRACT_CATEGORIES,
    "Alliance.armOf": table.ALLIANCE_PARENT,
    "Category.parent": table.CATEGORY_PARENT,
}

#: The links a holder cannot be without: its node is incomplete when one is removed.
_REQUIRED = frozenset({"Lesson.state", "Contract.alliance"})

#: The statements of each link of :data:`LINKED`.
NODE_LINKS: dict[str, LinkSpec] = {
    name: _spec(rel, name in _REQUIRED) for name, rel in LINKED.items()
}

#: Every link other nodes hold to a node: what makes them depend on it. The links of
#: node writes, and those written by the link mutations, the seed and the curricula.
DEPENDENT_LINKS: tuple[LinkSpec, ...] = (
    *NODE_LINKS.values(),
    LinkSpec("State", "(n)-[x:MEMBER_OF]->(m)", "Alliance"),
    LinkSpec("State", "(n)-[x:PARTICIPATES_IN]->(m)", "Contract"),
    LinkSpec("Vendor", "(n)-[x:AWARDED_UNDER]->(m)", "Contract"),
    LinkSpec("Curriculum", "(n)-[:HAS_MODULE]->(:Module)-[x:INCLUDES]->(m)", "Practice"),
    LinkSpec("Curriculum", "(n)-[:HAS_MODULE]->(:Module)-[x:INCLUDES]->(m)", "Lesson"),
)

_EXISTING: dict[str, LiteralString] = {
    "State": "MATCH (n:State) WHERE n.id IN $keys RETURN n.id AS id",
    "Alliance": "MATCH (n:Alliance) WHERE n.id IN $keys RETURN n.id AS id",
    "Contract": "MATCH (n:Contract) WHERE n.id IN $keys RETURN n.id AS id",
    "Category": "MATCH (n:Category) WHERE n.id IN $keys RETURN n.id AS id",
    "Practice": "MATCH (n:Practice) WHERE n.id IN $keys RETURN n.id AS id",
    "Lesson": "MATCH (n:Lesson) WHERE n.id IN $keys RETURN n.id AS id",
}

_WRITABLE: tuple[LiteralString, ...] = ("Alliance", "Contract", "Category", "Practice", "Lesson")
_STAMP: LiteralString = " SET n.updatedAt = datetime(), n.updatedBy = $author RETURN n {.*} AS n"
_CREATE: dict[str, LiteralString] = {
    label: "CREATE (n:"
    + label
    + ") SET n = $props, n.id = $id, n.createdAt = datetime(), n.createdBy = $author"
    + _STAMP
    for label in _WRITABLE
}
_UPDATE: dict[str, LiteralString] = {
    label: "MATCH (n:" + label + " {id: $id}) SET n += $props" + _STAMP for label in _WRITABLE
}
_TITLE_TAKEN: LiteralString = (
    "MATCH (n) WHERE (n:Practice OR n:Lesson) AND toLower(n.title) = toLower($title) "
    "AND NOT (n.id = $id AND $label IN labels(n)) RETURN n.id AS id LIMIT 1"
)
# By label and key: one seek in the label's id index (`MATCH (n {id: $id})` reads every node).
_FETCH: dict[str, LiteralString] = {
    label: "MATCH (n:" + label + " {id: $id}) RETURN n {.*} AS n" for label in _WRITABLE
}


def _missing(tx: Tx, label: str, keys: list[str]) -> set[str]:
    found = {row["id"] for row in tx.run(_EXISTING[label], keys=keys)}
    return set(keys) - found


def _missing_refs(tx: Tx, refs: list[Ref]) -> list[MissingNodeError]:
    """Every reference to a node that does not exist: one statement per label."""
    by_label: dict[str, list[Ref]] = {}
    for ref in refs:
        by_label.setdefault(ref.label, []).append(ref)
    errors = []
    for label, group in by_label.items():
        absent = _missing(tx, label, [ref.key for ref in group])
        errors += [
            MissingNodeError(f"there is no {ref.label} {ref.key!r}", ref.field)
            for ref in group
            if ref.key in absent
        ]
    return errors


def _check_refs(tx: Tx, refs: list[Ref]) -> None:
    errors = _missing_refs(tx, refs)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise WriteErrors(list(errors))


def _title_taken(tx: Tx, write: NodeWrite) -> DuplicateKeyError | None:
    title = write.props.get("title")
    if write.label in ("Practice", "Lesson") and isinstance(title, str) and title:
        taken = tx.run(_TITLE_TAKEN, title=title, id=write.key, label=write.label)
        if taken:
            return DuplicateKeyError(
                f"the title {title!r} is already used by {taken[0]['id']!r}; titles are unique "
                "across practices and lessons",
                "input.title",
            )
    return None


def _refusals(tx: Tx, write: NodeWrite, key_field: str | None) -> list[WriteError]:
    """What the graph refuses in ``write``, all of it: the node (taken key on create,
    given ``key_field``; absent on update), every missing reference, a taken title."""
    errors: list[WriteError] = []
    absent = bool(_missing(tx, write.label, [write.key]))
    if key_field is not None and not absent:
        errors.append(DuplicateKeyError(f"a {write.label} {write.key!r} already exists", key_field))
    elif key_field is None and absent:
        errors.append(MissingNodeError(f"there is no {write.label} {write.key!r}", "input.id"))
    errors += _missing_refs(tx, write.refs)
    taken = _title_taken(tx, write)
    if taken is not None:
        errors.append(taken)
    return errors


def _refuse(tx: Tx, write: NodeWrite, key_field: str | None) -> None:
    errors = _refusals(tx, write, key_field)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise WriteErrors(errors)


def write_refusals(graph: Graph, write: NodeWrite, key_field: str | None) -> list[WriteError]:
    """What :func:`create_node` (``key_field`` given) or :func:`update_node` would refuse
    in ``write``, read without writing: to report it beside the input's own errors."""
    return graph.execute_read(lambda tx: _refusals(tx, write, key_field))


_PREREQUISITE_CYCLE: LiteralString = (
    "MATCH p = (n:Practice {id: $id})-[:PREREQUISITE_OF*1..]->(n) "
    "RETURN [x IN nodes(p) | x.id] AS cycle LIMIT 1"
)


def _refuse_prerequisite_cycle(tx: Tx, practice: str, field: str) -> None:
    """Raise (rolling the transaction back) when ``practice`` now sits on a cycle."""
    rows = tx.run(_PREREQUISITE_CYCLE, id=practice)
    if rows:
        cycle = " -> ".join(rows[0]["cycle"])
        raise WriteError(f"the prerequisites would form a cycle: {cycle}", field)


def _set_links(tx: Tx, write: NodeWrite) -> None:
    for name, keys in write.links.items():
        link = NODE_LINKS[name]
        tx.run(link.clear, id=write.key)
        if keys:
            tx.run(link.add, id=write.key, keys=keys)
    if write.links.get("Practice.prerequisites"):
        _refuse_prerequisite_cycle(tx, write.key, "input.prerequisites")


def create_node(graph: Graph, write: NodeWrite, author: str, key_field: str) -> NodeRecord:
    """Create a node with its links; DuplicateKeyError when the key is taken."""

    def work(tx: Tx) -> NodeRecord:
        _refuse(tx, write, key_field)
        row = tx.run(_CREATE[write.label], id=write.key, props=write.props, author=author)[0]
        _set_links(tx, write)
        record_changes(tx, write.label, [write.key], "UPSERT", author)
        return NodeRecord.of(write.label, row["n"])

    return graph.execute_write(work)


def update_node(graph: Graph, write: NodeWrite, author: str) -> NodeRecord:
    """Set the given properties and replace the given links of an existing node."""

    def work(tx: Tx) -> NodeRecord:
        _refuse(tx, write, None)
        old = tx.run(_FETCH[write.label], id=write.key)[0]["n"]
        old_links = {name: _linked(tx, name, write.key) for name in write.links}
        row = tx.run(_UPDATE[write.label], id=write.key, props=write.props, author=author)[0]
        _set_links(tx, write)
        # What changed, with the values before and after: the properties given a new
        # value and the links whose targets differ, by their input names.
        diffs = property_diffs(
            old,
            write.props,
            {name.split(".", 1)[1]: keys for name, keys in old_links.items()},
            {name.split(".", 1)[1]: keys for name, keys in write.links.items()},
        )
        fields = [d.field for d in diffs]
        record_changes(tx, write.label, [write.key], "UPSERT", author, fields, encode_diffs(diffs))
        return NodeRecord.of(write.label, row["n"])

    return graph.execute_write(work)


def _linked(tx: Tx, name: str, key: str) -> list[str]:
    return [str(k) for k in tx.run(NODE_LINKS[name].keys, id=key)[0]["keys"]]


def _edge(
    source: LiteralString, rel: LiteralString, target: LiteralString
) -> tuple[LiteralString, LiteralString]:
    match: LiteralString = (
        "MATCH (a:" + source + " {id: $source}), (b:" + target + " {id: $target}) "
    )
    add = match + "MERGE (a)-[r:" + rel + "]->(b) SET r += $props RETURN count(r) AS n"
    remove = (
        "MATCH (a:"
        + source
        + " {id: $source})-[r:"
        + rel
        + "]->(b:"
        + target
        + " {id: $target}) DELETE r RETURN count(*) AS n"
    )
    return add, remove


@dataclass(frozen=True)
class EdgeKind:
    source: str
    rel: str
    target: str
    add: LiteralString
    remove: LiteralString


def _kind(source: LiteralString, rel: LiteralString, target: LiteralString) -> EdgeKind:
    add, remove = _edge(source, rel, target)
    return EdgeKind(source, rel, target, add, remove)


#: Relationships the link mutations set and remove, by (source label, type, target label).
EDGES: dict[tuple[str, str, str], EdgeKind] = {
    (k.source, k.rel, k.target): k
    for k in (
        _kind("State", "MEMBER_OF", "Alliance"),
        _kind("State", "PARTICIPATES_IN", "Contract"),
        _kind("Practice", "SHARED_BY", "State"),
        _kind("Practice", "SHARED_BY", "Alliance"),
        _kind("Practice", "APPLIES_TO", "Category"),
        _kind("Practice", "REFERENCES", "Contract"),
        _kind("Practice", "RELATED_TO", "Practice"),
        _kind("Practice", "PREREQUISITE_OF", "Practice"),
        _kind("Lesson", "FROM", "State"),
        _kind("Lesson", "ABOUT", "Alliance"),
        _kind("Lesson", "ABOUT", "Contract"),
        _kind("Lesson", "ABOUT", "Category"),
        _kind("Lesson", "PART_OF", "Practice"),
    )
}


def set_edge(
    graph: Graph, kind: EdgeKind, source: Ref, target: Ref, props: dict[str, Any], author: str
) -> tuple[NodeRecord, NodeRecord]:
    """Create (or update the properties of) one relationship; both ends must exist."""
    return graph.execute_write(
        lambda tx: _edge_work(tx, kind, source, target, props, author, add=True)
    )


def remove_edge(
    graph: Graph, kind: EdgeKind, source: Ref, target: Ref, author: str
) -> tuple[NodeRecord, NodeRecord]:
    """Remove one relationship (nothing happens when it is absent); both ends must exist."""
    return graph.execute_write(
        lambda tx: _edge_work(tx, kind, source, target, {}, author, add=False)
    )


def _edge_work(
    tx: Tx, kind: EdgeKind, source: Ref, target: Ref, props: dict[str, Any], author: str, add: bool
) -> tuple[NodeRecord, NodeRecord]:
    _check_refs(tx, [source, target])
    if add:
        tx.run(kind.add, source=source.key, target=target.key, props=props)
        if kind.rel == "PREREQUISITE_OF":
            _refuse_prerequisite_cycle(tx, source.key, "input.target")
    else:
        tx.run(kind.remove, source=source.key, target=target.key)
    stamp: LiteralString = "MATCH (n {id: $id}) WHERE $label IN labels(n) " + _STAMP
    ends = []
    for ref in (source, target):
        ends.append(
            NodeRecord.of(
                ref.label, tx.run(stamp, id=ref.key, label=ref.label, author=author)[0]["n"]
            )
        )
        sign = "+" if add else "-"
        # Each end names the other: linked (new) or unlinked (old).
        other = target if ref is source else source
        named = f"{other.label} {other.key}"
        diff = field_diff(kind.rel, None, named) if add else field_diff(kind.rel, named, None)
        record_changes(
            tx, ref.label, [ref.key], "UPSERT", author, [sign + kind.rel], encode_diffs([diff])
        )
    return ends[0], ends[1]
