"""Import lessons (and practices) from a CSV file, a JSON Lines file, a YAML list, or a
folder of Markdown files, validated exactly like the seed and written all-or-nothing.

What a file may hold:

- ``.csv``: lessons, one per row, a header naming the lesson fields of
  ``seed/README.md``; list cells (``categories``, ``tags``) separated by ``;``.
- ``.jsonl`` / ``.ndjson``: lessons, one JSON object per line; lists as JSON arrays.
- ``.yaml`` / ``.yml``: a list of lessons, as in ``seed/lessons/``.
- a folder: every ``*.md`` in it (not in sub-folders). A file whose front matter has
  ``focus_area`` is a practice (front matter as in ``seed/practices/``, the slug is the
  file name); any other is a lesson, its text either in the front matter or in the body
  under the headings ``## Context``, ``## Lesson`` and ``## Recommendation``.

References are checked against the keys already in the graph plus those in the import.
A lesson id or practice slug that is already in the graph is an error unless
``update=True``, in which case the record in the graph is replaced by the imported one.

Example:
    >>> result = import_file(graph, Path("register.csv"))
    >>> result.lessons, result.created
    (12, 12)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from kb.graph.db import Graph
from kb.graph.imports import write_import
from kb.graph.keys import GraphKeys, graph_keys, normalise_title
from kb.seed.build import build_lessons, build_practices, find_cycles
from kb.seed.files import RawRecord, read_csv, read_front_matter, read_jsonl, read_yaml_list
from kb.seed.records import SeedData
from kb.seed.validate import KnownKeys, SeedError, SeedValidationError

LESSON_FILES = {".csv": read_csv, ".jsonl": read_jsonl, ".ndjson": read_jsonl}
LESSON_FILES |= {".yaml": read_yaml_list, ".yml": read_yaml_list}
ACCEPTED = "a .csv, .jsonl, .ndjson, .yaml or .yml file of lessons, or a folder of .md files"

#: Markdown headings of a lesson's body, and the field each one fills.
SECTIONS = {
    "context": "context",
    "lesson": "lesson",
    "lesson learned": "lesson",
    "recommendation": "recommendation",
    "recommendations": "recommendation",
}
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")

#: Called with (stage, done, total); stage is "read" or "write".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: records per kind, and how many were new or replaced."""

    source: str
    practices: int
    lessons: int
    created: int
    replaced: int
    unchanged: int


@dataclass
class _Raw:
    """Raw records of an import, each with the display name of its file."""

    practices: list[tuple[str, RawRecord]]
    lessons: list[tuple[str, RawRecord]]


def import_file(
    graph: Graph, path: Path, *, update: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Validate ``path`` against the graph, then write it in one transaction.

    Raises:
        SeedValidationError: naming file, line, record and field of every bad value;
            nothing is written.
    """
    existing = graph_keys(graph)
    data = read_import(path, existing, update=update, progress=progress)
    write = None if progress is None else (lambda done, total: progress("write", done, total))
    report = write_import(graph, data, progress=write)
    new = sum(p.slug not in existing.practices for p in data.practices)
    new += sum(x.id not in existing.lessons for x in data.lessons)
    changed = report.changed.get("Practice", 0) + report.changed.get("Lesson", 0)
    total = len(data.practices) + len(data.lessons)
    return ImportResult(
        str(path), len(data.practices), len(data.lessons), new, changed - new, total - changed
    )


def read_import(
    path: Path, existing: GraphKeys, *, update: bool = False, progress: Progress | None = None
) -> SeedData:
    """Read and validate an import against the keys already in the graph.

    Raises:
        SeedValidationError: with every error found; the message names file and line.
    """
    errors: list[SeedError] = []
    raw = _read_raw(path, errors, progress)
    if not raw.practices and not raw.lessons:
        if not errors:
            errors.append(SeedError(str(path), None, "(file)", None, "holds no records"))
        raise SeedValidationError(errors)
    slugs = {_slug(name, data) for name, (_, data) in raw.practices}
    known = KnownKeys(
        states=set(existing.states),
        alliances=set(existing.alliances),
        categories=set(existing.categories),
        contracts=set(existing.contracts),
        practices=set(existing.practices) | slugs,
    )
    where = _where(raw)
    data = SeedData(
        practices=build_practices(raw.practices, errors, known),
        lessons=build_lessons(raw.lessons, errors, known),
    )
    _check_existing(data, existing, where, update, errors)
    _check_titles(data, existing, where, errors)
    _check_cycles(data, existing, where, errors)
    if errors:
        raise SeedValidationError(errors)
    return data


def _read_raw(path: Path, errors: list[SeedError], progress: Progress | None) -> _Raw:
    raw = _Raw([], [])
    name = str(path)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.md") if p.is_file())
        if not files:
            errors.append(SeedError(name, None, "(folder)", None, "holds no .md files"))
        for done, file in enumerate(files, start=1):
            shown = str(file)
            record = read_front_matter(file, shown, errors)
            if record is not None:
                _sort_markdown(file, shown, record, raw, errors)
            if progress is not None:
                progress("read", done, len(files))
        return raw
    reader = LESSON_FILES.get(path.suffix.lower())
    if not path.exists():
        errors.append(SeedError(name, None, "(file)", None, f"does not exist; expected {ACCEPTED}"))
    elif reader is None:
        errors.append(
            SeedError(name, None, "(file)", None, f"is not a known kind; expected {ACCEPTED}")
        )
    else:
        raw.lessons = [(name, _without_bom(record)) for record in reader(path, name, errors)]
        if progress is not None:
            progress("read", 1, 1)
    return raw


def _without_bom(record: RawRecord) -> RawRecord:
    """Spreadsheets save CSV with a byte-order mark (U+FEFF), which would otherwise stick
    to the first column's name."""
    line, data = record
    if isinstance(data, dict):
        data = {str(key).lstrip("\ufeff"): value for key, value in data.items()}
    return line, data


def _sort_markdown(
    file: Path, shown: str, record: RawRecord, raw: _Raw, errors: list[SeedError]
) -> None:
    """A Markdown file is a practice when it names a focus area, else a lesson."""
    line, data = record
    if "focus_area" in data:
        raw.practices.append((shown, record))
        return
    body = data.pop("body", "")
    if body:
        for field, (text, at) in _sections(file, shown, data, errors).items():
            if data.get(field) not in (None, ""):
                errors.append(
                    SeedError(
                        shown,
                        at,
                        _key(data),
                        field,
                        "is given twice, in the front matter and as a section of the body; "
                        "keep one",
                    )
                )
            else:
                data[field] = text
    raw.lessons.append((shown, (line, data)))


def _key(data: dict[str, object]) -> str:
    return repr(str(data["id"])) if data.get("id") else "(no key)"


def _sections(
    file: Path, shown: str, data: dict[str, object], errors: list[SeedError]
) -> dict[str, tuple[str, int]]:
    """The body's sections by field, with the line of each heading."""
    lines = file.read_text(encoding="utf-8").splitlines()
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    found: dict[str, tuple[list[str], int]] = {}
    current: list[str] | None = None
    for number, line in enumerate(lines[end + 1 :], start=end + 2):
        heading = _HEADING.match(line)
        if heading:
            title = heading.group(1).strip().lower()
            field = SECTIONS.get(title)
            if field is None:
                accepted = ", ".join(f"'## {t.capitalize()}'" for t in SECTIONS)
                errors.append(
                    SeedError(
                        shown,
                        number,
                        _key(data),
                        None,
                        f"heading {line.strip()!r} is not a lesson section; accepted: {accepted}",
                    )
                )
                current = []  # text under a rejected heading: already reported
            elif field in found:
                errors.append(
                    SeedError(shown, number, _key(data), field, "has two sections in the body")
                )
                current = []  # text under a rejected heading: already reported
            else:
                current = []
                found[field] = (current, number)
        elif current is not None:
            current.append(line)
        elif line.strip():
            errors.append(
                SeedError(
                    shown,
                    number,
                    _key(data),
                    None,
                    "text before the first heading; put a lesson's text under "
                    "'## Context', '## Lesson' or '## Recommendation'",
                )
            )
    return {field: ("\n".join(text).strip(), at) for field, (text, at) in found.items()}


def _slug(name: str, data: dict[str, object]) -> str:
    """A practice's slug as ``build_practices`` takes it: a ``slug`` field, else the file
    name."""
    return str(data.get("slug") or Path(name).stem)


def _where(raw: _Raw) -> dict[str, tuple[str, int | None]]:
    """File and line of each record, by practice slug or lesson id."""
    where: dict[str, tuple[str, int | None]] = {}
    for name, (line, data) in raw.practices:
        where.setdefault(_slug(name, data), (name, line))
    for name, (line, data) in raw.lessons:
        if isinstance(data, dict) and data.get("id"):
            where.setdefault(str(data["id"]).strip(), (name, line))
    return where


def _check_existing(
    data: SeedData,
    existing: GraphKeys,
    where: dict[str, tuple[str, int | None]],
    update: bool,
    errors: list[SeedError],
) -> None:
    if update:
        return
    clashes = [("practice slug", p.slug) for p in data.practices if p.slug in existing.practices]
    clashes += [("lesson id", x.id) for x in data.lessons if x.id in existing.lessons]
    for what, key in clashes:
        file, line = where[key]
        errors.append(
            SeedError(
                file,
                line,
                repr(key),
                "id" if what == "lesson id" else "slug",
                f"{what} {key!r} is already in the graph; give a new one, or import "
                "with --update to replace the record in the graph",
            )
        )


def _check_titles(
    data: SeedData,
    existing: GraphKeys,
    where: dict[str, tuple[str, int | None]],
    errors: list[SeedError],
) -> None:
    """No two records share a title: within the import, nor with another in the graph."""
    seen: dict[str, str] = {}
    items = [(p.title, "Practice", p.slug) for p in data.practices]
    items += [(x.title, "Lesson", x.id) for x in data.lessons]
    for title, label, key in items:
        norm = normalise_title(title)
        file, line = where[key]
        owner = existing.titles.get(norm)
        if norm in seen:
            message = f"{title!r} is also the title of {seen[norm]} in this import"
        elif owner is not None and owner != (label, key):
            message = (
                f"{title!r} is already the title of {owner[0].lower()} {owner[1]!r} in the graph"
            )
        else:
            seen[norm] = f"{label.lower()} {key!r}"
            continue
        errors.append(SeedError(file, line, repr(key), "title", message))


def _check_cycles(
    data: SeedData,
    existing: GraphKeys,
    where: dict[str, tuple[str, int | None]],
    errors: list[SeedError],
) -> None:
    """Prerequisites that close a cycle through practices already in the graph (cycles
    within the import are reported by ``build_practices``)."""
    imported = {p.slug for p in data.practices}
    ours = {(before, p.slug) for p in data.practices for before in p.prerequisites}
    theirs = {(b, a) for b, a in existing.prerequisites if a not in imported}
    for cycle in find_cycles(sorted(ours | theirs)):
        steps = set(pairwise(cycle))
        if steps <= ours or not steps & ours:
            continue
        slug = next(a for b, a in pairwise(cycle) if (b, a) in ours)
        file, line = where[slug]
        errors.append(
            SeedError(
                file,
                line,
                repr(slug),
                "prerequisites",
                f"closes a cycle with practices in the graph: {' -> '.join(cycle)}",
            )
        )
