"""Who created and last changed each record, and when: read for an export, written back
when a seed directory carries them (``history.csv``), so that an export seeded into an
empty graph keeps the authors and times of its records.

Times travel as ISO 8601 text (Neo4j ``DateTime`` to the nanosecond, with its offset);
authors as the names the API and the seed record (``createdBy``/``updatedBy``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, LiteralString

from kb.graph.db import Graph

#: The labels whose records carry stamps, in the order an export lists them.
STAMPED_LABELS = (
    "State",
    "Alliance",
    "Category",
    "Contract",
    "Practice",
    "Vendor",
    "Lesson",
    "Certification",
    "Domain",
    "Curriculum",
    "Module",
)


@dataclass(frozen=True)
class Stamp:
    """The creation and last change of one record (any part may be unknown)."""

    label: str
    id: str
    created_at: str | None
    created_by: str | None
    updated_at: str | None
    updated_by: str | None


_READ: LiteralString = (
    "MATCH (n) WHERE n.id IS NOT NULL AND any(l IN labels(n) WHERE l IN $labels) "
    "AND (n.createdAt IS NOT NULL OR n.updatedAt IS NOT NULL) "
    "RETURN [l IN labels(n) WHERE l IN $labels][0] AS label, n.id AS id, "
    "n.createdAt AS createdAt, n.createdBy AS createdBy, "
    "n.updatedAt AS updatedAt, n.updatedBy AS updatedBy"
)
_WRITE: dict[str, LiteralString] = {
    label: "UNWIND $rows AS r MATCH (n:" + label + " {id: r.id}) "
    "SET n.createdAt = CASE WHEN r.createdAt IS NULL THEN null ELSE datetime(r.createdAt) END, "
    "n.updatedAt = CASE WHEN r.updatedAt IS NULL THEN null ELSE datetime(r.updatedAt) END, "
    "n.createdBy = r.createdBy, n.updatedBy = r.updatedBy RETURN count(n) AS n"
    for label in STAMPED_LABELS
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value.iso_format()) if hasattr(value, "iso_format") else str(value)


def read_stamps(graph: Graph) -> list[Stamp]:
    """Every stamped record's stamps, ordered by label (as :data:`STAMPED_LABELS`), id."""
    rows = graph.read(_READ, labels=list(STAMPED_LABELS))
    stamps = [
        Stamp(
            row["label"],
            str(row["id"]),
            _text(row["createdAt"]),
            row["createdBy"],
            _text(row["updatedAt"]),
            row["updatedBy"],
        )
        for row in rows
    ]
    return sorted(stamps, key=lambda s: (STAMPED_LABELS.index(s.label), s.id))


def write_stamps(graph: Graph, stamps: list[Stamp]) -> int:
    """Set the stamps on the records they name (in one transaction); returns how many
    records were found. Run after the seed is loaded: the load stamps what it writes
    with the time of loading."""
    by_label: dict[str, list[dict[str, Any]]] = {}
    for s in stamps:
        by_label.setdefault(s.label, []).append(
            {
                "id": s.id,
                "createdAt": s.created_at,
                "createdBy": s.created_by,
                "updatedAt": s.updated_at,
                "updatedBy": s.updated_by,
            }
        )

    def work(tx: Any) -> int:
        return sum(tx.run(_WRITE[label], rows=rows)[0]["n"] for label, rows in by_label.items())

    return graph.execute_write(work)
