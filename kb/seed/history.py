"""``history.csv``: who created and last changed each record, and when.

An export writes it (see :mod:`kb.graph.stamps`); ``kb seed`` reads it when present and
sets the stamps after loading, so an export seeded into an empty graph keeps its
authors and times. The hand-written seed has none (its records are stamped when loaded).

Columns: ``label,id,created_at,created_by,updated_at,updated_by``; times are ISO 8601
with an offset (``2026-12-02T05:40:07.123456789+00:00``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from kb.domain.curricula import CurriculaSeed
from kb.domain.field_readers import RecordReader, SeedError, SeedValidationError
from kb.domain.records import SeedData
from kb.graph.stamps import STAMPED_LABELS, Stamp
from kb.seed.export import write_csv
from kb.seed.files import display_name, read_csv

HISTORY = "history.csv"
COLUMNS = ("label", "id", "created_at", "created_by", "updated_at", "updated_by")


def write_history(stamps: list[Stamp], directory: Path) -> Path:
    """Write ``history.csv`` under ``directory``; returns its path."""
    path = directory / HISTORY
    write_csv(
        path,
        COLUMNS,
        ((s.label, s.id, s.created_at, s.created_by, s.updated_at, s.updated_by) for s in stamps),
    )
    return path


def _time(rd: RecordReader, name: str) -> str | None:
    text = rd.text(name, required=False, max_len=64)
    if text is not None:
        try:
            if datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is None:
                raise ValueError
        except ValueError:
            rd.error(name, f"{text!r} is not a time; expected ISO 8601 with an offset")
            return None
    return text


def read_history(directory: Path, known: Collection[tuple[str, str]]) -> list[Stamp]:
    """The stamps of ``history.csv`` (none when the file is absent), each naming a record
    of the seed (``known`` holds its ``(label, id)`` pairs).

    Raises:
        SeedValidationError: naming each bad row.
    """
    path = directory / HISTORY
    if not path.exists():
        return []
    name = display_name(path, directory)
    errors: list[SeedError] = []
    stamps: list[Stamp] = []
    for line, data in read_csv(path, name, errors):
        rd = RecordReader(errors, name, line, f"on line {line}", data)
        label = rd.choice("label", STAMPED_LABELS)
        key = rd.text("id", max_len=300)
        created_at, updated_at = _time(rd, "created_at"), _time(rd, "updated_at")
        created_by = rd.text("created_by", required=False, max_len=300)
        updated_by = rd.text("updated_by", required=False, max_len=300)
        rd.finish()
        if label and key and (label, key) not in known:
            rd.error("id", f"{key!r} is not a {label} of this seed directory")
        if rd.ok and label and key:
            stamps.append(Stamp(label, key, created_at, created_by, updated_at, updated_by))
    if errors:
        raise SeedValidationError(errors)
    return stamps


def seed_keys(data: SeedData, curricula: CurriculaSeed) -> set[tuple[str, str]]:
    """The ``(label, id)`` of every record a seed directory declares."""
    keys = {("State", s.code) for s in data.states}
    keys |= {("Alliance", a.slug) for a in data.alliances}
    keys |= {("Category", c.code) for c in data.categories}
    keys |= {("Contract", c.slug) for c in data.contracts}
    keys |= {("Practice", p.slug) for p in data.practices}
    keys |= {("Vendor", v.slug) for v in data.vendors}
    keys |= {("Lesson", x.id) for x in data.lessons}
    keys |= {("Certification", c.code) for c in curricula.certifications}
    keys |= {("Domain", d.key) for c in curricula.certifications for d in c.domains}
    keys |= {("Curriculum", plan.key) for plan in curricula.curricula}
    keys |= {
        ("Module", f"{plan.key}/{m.key}") for plan in curricula.curricula for m in plan.modules
    }
    return keys
