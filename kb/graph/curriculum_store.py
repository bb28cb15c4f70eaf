"""Curricula in the graph: read them, make the graph match a plan, add prerequisites.

Model (see ``docs/curricula.md``)::

    (Curriculum {id, key, title, audience, level, description})-[:HAS_MODULE {position}]->
        (Module {id: "<curriculum>/<key>", key, title, objectives})-[:INCLUDES {position}]->
        (Practice | Lesson)
    (Curriculum)-[:TARGETS]->(Certification)

Every write runs in one transaction that first takes the curriculum's write lock, then
reads its current plan, lets the caller's edit check and change it, checks that every
item exists, makes the graph match and records the change entry: all of it, or nothing.

Example:
    >>> record = edit_curriculum(graph, "new-buyer-onboarding",
    ...                          lambda plan: move_module(plan, "after-award", 1), "token:ann")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, LiteralString

from kb.domain.curricula import CurriculumPlan, ItemRef, ModulePlan
from kb.graph.changes import record_changes
from kb.graph.db import Graph, Tx
from kb.graph.history import encode_diffs, field_diff, plan_diffs
from kb.graph.records import NodeRecord, native
from kb.graph.writes import DuplicateKeyError, MissingNodeError, WriteError

LABEL = "Curriculum"


class PrerequisiteCycleError(WriteError):
    """The prerequisite link would close a cycle; ``cycle`` lists the practice slugs."""

    def __init__(self, message: str, field: str, cycle: list[str]) -> None:
        super().__init__(message, field)
        self.cycle = cycle


@dataclass(frozen=True)
class ItemRecord:
    """An item as read: its node and, for a lesson, the practice it belongs to."""

    ref: ItemRef
    node: NodeRecord
    practice: str | None = None


@dataclass(frozen=True)
class ModuleRecord:
    key: str
    title: str
    objectives: tuple[str, ...]
    items: tuple[ItemRecord, ...]


@dataclass(frozen=True)
class CurriculumRecord:
    """A curriculum as read, with the ``(before, after)`` prerequisite links among the
    practices its practices lead back to, and the titles of those practices."""

    plan: CurriculumPlan
    props: Mapping[str, Any]
    modules: tuple[ModuleRecord, ...]
    edges: tuple[tuple[str, str], ...] = ()
    titles: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.plan.key


# -- reading -------------------------------------------------------------------------

_READ: LiteralString = """
UNWIND $keys AS key
MATCH (c:Curriculum {id: key})
CALL (c) {
  OPTIONAL MATCH (c)-[h:HAS_MODULE]->(m:Module)
  CALL (m) {
    OPTIONAL MATCH (m)-[i:INCLUDES]->(n) WHERE n:Practice OR n:Lesson
    OPTIONAL MATCH (n)-[:PART_OF]->(lp:Practice)
    WITH i, n, lp ORDER BY i.position
    RETURN collect(CASE WHEN n IS NULL THEN null ELSE
      {label: CASE WHEN n:Practice THEN 'Practice' ELSE 'Lesson' END, props: n {.*},
       practice: lp.id} END) AS items
  }
  WITH h, m, items ORDER BY h.position
  RETURN collect(CASE WHEN m IS NULL THEN null ELSE {props: m {.*}, items: items} END) AS modules
}
CALL (c) {
  OPTIONAL MATCH (c)-[:TARGETS]->(t:Certification)
  WITH t ORDER BY t.id
  RETURN collect(t.id) AS certifications
}
CALL (c) {
  OPTIONAL MATCH (c)-[:HAS_MODULE]->(:Module)-[:INCLUDES]->(:Practice)<-[:PREREQUISITE_OF*0..]-(a:Practice)
  WITH DISTINCT a WHERE a IS NOT NULL
  MATCH (b:Practice)-[:PREREQUISITE_OF]->(a)
  RETURN collect({before: b.id, after: a.id, beforeTitle: b.title, afterTitle: a.title}) AS edges
}
RETURN key, c {.*} AS c, modules, certifications, edges
"""


def _record(row: Mapping[str, Any]) -> CurriculumRecord:
    c = native(row["c"])
    modules: list[ModuleRecord] = []
    for m in row["modules"]:
        items = tuple(
            ItemRecord(
                ItemRef(i["label"], str(i["props"]["id"])),
                NodeRecord.of(i["label"], i["props"]),
                i["practice"],
            )
            for i in m["items"]
        )
        props = m["props"]
        modules.append(
            ModuleRecord(props["key"], props["title"], tuple(props.get("objectives") or ()), items)
        )
    plan = CurriculumPlan(
        key=c["id"],
        title=c.get("title") or "",
        audience=c.get("audience") or "",
        level=c.get("level") or "INTRODUCTORY",
        description=c.get("description") or "",
        certifications=tuple(row["certifications"]),
        modules=tuple(
            ModulePlan(m.key, m.title, m.objectives, tuple(i.ref for i in m.items)) for m in modules
        ),
        source=c.get("source"),
        illustrative=bool(c.get("illustrative")),
    )
    titles: dict[str, str] = {}
    for e in row["edges"]:
        titles[e["before"]] = e["beforeTitle"]
        titles[e["after"]] = e["afterTitle"]
    edges = tuple(sorted({(e["before"], e["after"]) for e in row["edges"]}))
    props = {k: v for k, v in c.items() if k != "seedHash"}
    return CurriculumRecord(plan, props, tuple(modules), edges, titles)


def _read(tx: Tx, keys: list[str]) -> dict[str, CurriculumRecord]:
    return {row["key"]: _record(row) for row in tx.run(_READ, keys=keys)}


def read_curricula(graph: Graph, keys: list[str]) -> dict[str, CurriculumRecord]:
    """The curricula with these keys (absent ones are left out), in one statement."""
    return graph.execute_read(lambda tx: _read(tx, keys))


_LIST: LiteralString = (
    "MATCH (c:Curriculum) WHERE ($level IS NULL OR c.level = $level) "
    "AND ($certification IS NULL OR EXISTS { (c)-[:TARGETS]->(:Certification {id: $certification}) }) "
    "WITH c ORDER BY toLower(c.title), c.id WITH collect(c.id) AS keys "
    "RETURN size(keys) AS total, keys[$skip..$skip + $limit] AS keys"
)


def list_curricula(
    graph: Graph,
    offset: int,
    limit: int,
    level: str | None = None,
    certification: str | None = None,
) -> tuple[int, list[CurriculumRecord]]:
    """(how many curricula match, one page of them ordered by title)."""

    def work(tx: Tx) -> tuple[int, list[CurriculumRecord]]:
        row = tx.run(_LIST, level=level, certification=certification, skip=offset, limit=limit)[0]
        found = _read(tx, row["keys"])
        return row["total"], [found[k] for k in row["keys"] if k in found]

    return graph.execute_read(work)


# -- making the graph match a plan -----------------------------------------------------

_UPSERT: LiteralString = (
    "MERGE (c:Curriculum {id: $id}) ON CREATE SET c.createdAt = datetime(), c.createdBy = $author "
    "SET c += $props, c.updatedAt = datetime(), c.updatedBy = $author"
)
_SYNC: tuple[LiteralString, ...] = (
    "MATCH (c:Curriculum {id: $id}) OPTIONAL MATCH (c)-[t:TARGETS]->() DELETE t",
    "MATCH (c:Curriculum {id: $id}) UNWIND $certifications AS code "
    "MATCH (x:Certification {id: code}) MERGE (c)-[:TARGETS]->(x)",
    "MATCH (:Curriculum {id: $id})-[:HAS_MODULE]->(m:Module) WHERE NOT m.key IN $moduleKeys "
    "DETACH DELETE m",
    "MATCH (c:Curriculum {id: $id}) UNWIND $modules AS r "
    "MERGE (c)-[h:HAS_MODULE]->(m:Module {id: r.id}) ON CREATE SET m.createdAt = datetime() "
    "SET m.key = r.key, m.curriculum = $id, m.title = r.title, m.objectives = r.objectives, "
    "h.position = r.position",
    "MATCH (:Curriculum {id: $id})-[:HAS_MODULE]->(m:Module)-[i:INCLUDES]->(n) "
    "WITH i, m.key + '|' + CASE WHEN n:Practice THEN 'Practice' ELSE 'Lesson' END + '|' + n.id AS k "
    "WHERE NOT k IN $keep DELETE i",
    "MATCH (c:Curriculum {id: $id}) UNWIND $practices AS r "
    "MATCH (c)-[:HAS_MODULE]->(m:Module {key: r.module}) MATCH (n:Practice {id: r.key}) "
    "MERGE (m)-[i:INCLUDES]->(n) SET i.position = r.position",
    "MATCH (c:Curriculum {id: $id}) UNWIND $lessons AS r "
    "MATCH (c)-[:HAS_MODULE]->(m:Module {key: r.module}) MATCH (n:Lesson {id: r.key}) "
    "MERGE (m)-[i:INCLUDES]->(n) SET i.position = r.position",
)


def plan_props(plan: CurriculumPlan) -> dict[str, Any]:
    """The curriculum node's own properties."""
    return {
        "key": plan.key,
        "title": plan.title,
        "audience": plan.audience,
        "level": plan.level,
        "description": plan.description,
        "source": plan.source,
        "illustrative": plan.illustrative,
    }


def sync_curriculum(
    tx: Tx, plan: CurriculumPlan, author: str, extra: Mapping[str, Any] | None = None
) -> None:
    """Make the curriculum in the graph match ``plan`` (create it if absent), inside
    ``tx``; ``extra`` properties are set too (the seed's digest). Items must exist."""
    items = [
        {"module": module.key, "label": item.label, "key": item.key, "position": position}
        for module in plan.modules
        for position, item in enumerate(module.items, start=1)
    ]
    tx.run(_UPSERT, id=plan.key, props={**plan_props(plan), **(extra or {})}, author=author)
    params: dict[str, Any] = {
        "id": plan.key,
        "certifications": list(plan.certifications),
        "moduleKeys": [m.key for m in plan.modules],
        "modules": [
            {
                "id": f"{plan.key}/{m.key}",
                "key": m.key,
                "title": m.title,
                "objectives": list(m.objectives),
                "position": position,
            }
            for position, m in enumerate(plan.modules, start=1)
        ],
        "keep": [f"{i['module']}|{i['label']}|{i['key']}" for i in items],
        "practices": [i for i in items if i["label"] == "Practice"],
        "lessons": [i for i in items if i["label"] == "Lesson"],
    }
    for statement in _SYNC:
        tx.run(statement, **params)


_EXISTING: dict[str, LiteralString] = {
    "Practice": "MATCH (n:Practice) WHERE n.id IN $keys RETURN n.id AS id",
    "Lesson": "MATCH (n:Lesson) WHERE n.id IN $keys RETURN n.id AS id",
    "Certification": "MATCH (n:Certification) WHERE n.id IN $keys RETURN n.id AS id",
}


def _check_refs(tx: Tx, plan: CurriculumPlan, fields: Mapping[ItemRef, str]) -> None:
    for label in ("Practice", "Lesson"):
        keys = sorted({i.key for _, i in plan.items() if i.label == label})
        found = {row["id"] for row in tx.run(_EXISTING[label], keys=keys)}
        for key in keys:
            if key not in found:
                ref = ItemRef(label, key)
                raise MissingNodeError(
                    f"there is no {label} {key!r}", fields.get(ref, "input.item")
                )
    codes = list(plan.certifications)
    found = {row["id"] for row in tx.run(_EXISTING["Certification"], keys=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise MissingNodeError(f"there is no certification {missing[0]!r}", "input.certifications")


def create_curriculum(
    graph: Graph, plan: CurriculumPlan, author: str, fields: Mapping[ItemRef, str] | None = None
) -> CurriculumRecord:
    """Create a curriculum; DuplicateKeyError when the key is taken."""

    def work(tx: Tx) -> CurriculumRecord:
        if tx.run("MATCH (c:Curriculum {id: $id}) RETURN c.id AS id", id=plan.key):
            raise DuplicateKeyError(f"a curriculum {plan.key!r} already exists", "input.key")
        _check_refs(tx, plan, fields or {})
        sync_curriculum(tx, plan, author)
        record_changes(tx, LABEL, [plan.key], "UPSERT", author)
        return _read(tx, [plan.key])[plan.key]

    return graph.execute_write(work)


_LOCK: LiteralString = (
    "MATCH (c:Curriculum {id: $id}) SET c.updatedAt = datetime(), c.updatedBy = $author "
    "RETURN c.id AS id"
)


def edit_curriculum(
    graph: Graph,
    key: str,
    edit: Callable[[CurriculumPlan], CurriculumPlan],
    author: str,
    fields: Mapping[ItemRef, str] | None = None,
    field: str = "input.curriculum",
) -> CurriculumRecord:
    """Apply ``edit`` to the current plan of curriculum ``key`` and write the result.

    The curriculum's write lock is taken first, so concurrent edits of one curriculum
    apply one after the other, each to the plan the previous one left. ``edit`` raises
    (WriteError) to refuse; then the transaction rolls back and nothing changes.
    """

    def work(tx: Tx) -> CurriculumRecord:
        if not tx.run(_LOCK, id=key, author=author):
            raise MissingNodeError(f"there is no curriculum {key!r}", field)
        before = _read(tx, [key])[key].plan
        plan = edit(before)
        _check_refs(tx, plan, fields or {})
        sync_curriculum(tx, plan, author)
        diffs = plan_diffs(before, plan, plan_props)
        changed = [d.field for d in diffs]
        record_changes(tx, LABEL, [key], "UPSERT", author, changed, encode_diffs(diffs))
        return _read(tx, [key])[key]

    return graph.execute_write(work)


_DELETE: LiteralString = (
    "MATCH (c:Curriculum {id: $id}) "
    "CALL (c) { MATCH (c)-[:HAS_MODULE]->(m:Module) DETACH DELETE m } "
    "DETACH DELETE c RETURN count(*) AS deleted"
)


def delete_curriculum(graph: Graph, key: str, author: str) -> None:
    """Delete a curriculum and its modules (not the practices and lessons)."""

    def work(tx: Tx) -> None:
        if not tx.run(_DELETE, id=key)[0]["deleted"]:
            raise MissingNodeError(f"there is no curriculum {key!r}", "input.id")
        record_changes(tx, LABEL, [key], "DELETE", author)

    graph.execute_write(work)


# -- prerequisites ---------------------------------------------------------------------

_PRACTICES: LiteralString = (
    "MATCH (n:Practice) WHERE n.id IN $keys RETURN n.id AS id, n.title AS title"
)
_PATH: LiteralString = (
    "MATCH (a:Practice {id: $start}), (b:Practice {id: $end}) "
    "MATCH p = shortestPath((a)-[:PREREQUISITE_OF*1..]->(b)) "
    "RETURN [n IN nodes(p) | n.id] AS ids"
)
_LINK: LiteralString = (
    "MATCH (a:Practice {id: $before}), (b:Practice {id: $after}) "
    "MERGE (a)-[:PREREQUISITE_OF]->(b) "
    "WITH a, b UNWIND [a, b] AS n SET n.updatedAt = datetime(), n.updatedBy = $author"
)


def add_prerequisite(graph: Graph, before: str, after: str, author: str) -> bool:
    """Make practice ``before`` a prerequisite of practice ``after``.

    Returns False (and writes nothing) when the link exists already. Raises
    MissingNodeError for an unknown practice and PrerequisiteCycleError, naming the
    cycle, when ``after`` already leads to ``before``.
    """

    def work(tx: Tx) -> bool:
        titles = {row["id"]: row["title"] for row in tx.run(_PRACTICES, keys=[before, after])}
        for key, name in ((after, "input.practice"), (before, "input.prerequisite")):
            if key not in titles:
                raise MissingNodeError(f"there is no Practice {key!r}", name)
        if before == after:
            raise PrerequisiteCycleError(
                f"a practice cannot be its own prerequisite: {before!r}",
                "input.prerequisite",
                [before, before],
            )
        if _direct(tx, before, after):
            return False
        path = tx.run(_PATH, start=after, end=before)
        if path:
            cycle = [before, *path[0]["ids"]]
            names = tx.run(_PRACTICES, keys=cycle)
            title = {row["id"]: row["title"] for row in names}
            raise PrerequisiteCycleError(
                "this link would make a prerequisite cycle: "
                + " -> ".join(f"{title[k]!r} ({k})" for k in cycle),
                "input.prerequisite",
                cycle,
            )
        tx.run(_LINK, before=before, after=after, author=author)
        for end, other in ((before, after), (after, before)):
            diff = encode_diffs([field_diff("PREREQUISITE_OF", None, f"Practice {other}")])
            record_changes(tx, "Practice", [end], "UPSERT", author, ["+PREREQUISITE_OF"], diff)
        return True

    return graph.execute_write(work)


def _direct(tx: Tx, before: str, after: str) -> bool:
    rows = tx.run(
        "MATCH (:Practice {id: $before})-[r:PREREQUISITE_OF]->(:Practice {id: $after}) "
        "RETURN count(r) AS n",
        before=before,
        after=after,
    )
    return bool(rows[0]["n"])
