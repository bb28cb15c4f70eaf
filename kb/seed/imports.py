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

CSV and JSON Lines files are read twice, one record at a time: a first pass validates
every record (collecting every problem, up to ``max_errors``) before anything is
written; a second pass writes them in batches of ``batch_size`` rows through
:func:`kb.graph.batch_writes.write_batches`, which undoes the committed batches if a later
one fails. YAML files and folders are documents rather than registers: they are read
whole, then written in the same batches. See docs/data.md, "Large imports".

Example:
    >>> result = import_file(graph, Path("register.csv"))
    >>> result.lessons, result.created
    (12, 12)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kb.domain.field_readers import KnownKeys, SeedError, SeedValidationError
from kb.domain.records import Lesson, Practice, SeedData
from kb.graph.batch_writes import BATCH_SIZE, BATCH_TIMEOUT, Batch, write_batches
from kb.graph.db import Graph
from kb.graph.keys import GraphKeys, graph_keys, normalise_title
from kb.graph.load_rows import seed_rows
from kb.seed.build import build_lessons, build_practices
from kb.seed.files import RawRecord, read_front_matter, read_yaml_list
from kb.seed.import_checks import check_against_graph
from kb.seed.markdown_lessons import sort_markdown
from kb.seed.streams import RecordStream

STREAMED = (".csv", ".jsonl", ".ndjson")
ACCEPTED = "a .csv, .jsonl, .ndjson, .yaml or .yml file of lessons, or a folder of .md files"
#: Problems collected before the validating pass stops keeping them (it still counts).
MAX_ERRORS = 1000

#: Called with (stage, done, total): stage "read" counts bytes (files, for a folder),
#: "write" counts records.
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


class ImportValidationError(SeedValidationError):
    """An import has invalid records; nothing was written. ``errors`` holds the first
    :data:`MAX_ERRORS`; ``total`` counts them all."""

    def __init__(self, errors: list[SeedError], total: int) -> None:
        super().__init__(errors)
        self.total = total
        if total > len(errors):
            self.args = (
                f"{self.args[0]}\n  ({total} problems in all; the first {len(errors)} are kept)",
            )


class CappedErrors(list[SeedError]):
    """An error list that keeps the first ``cap`` errors and counts the rest."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap
        self.total = 0

    def append(self, error: SeedError) -> None:
        self.total += 1
        if len(self) < self.cap:
            super().append(error)

    def extend(self, errors: Iterable[SeedError]) -> None:
        for error in errors:
            self.append(error)

    def raise_if_any(self) -> None:
        if self.total:
            raise ImportValidationError(list(self), self.total)


@dataclass
class _Raw:
    """Raw records of an import, each with the display name of its file."""

    practices: list[tuple[str, RawRecord]]
    lessons: list[tuple[str, RawRecord]]


@dataclass
class _Plan:
    """What the validating pass hands to the writing pass."""

    known: KnownKeys
    practices: list[Practice]
    #: Validated lessons with file and line, for kinds read whole; None when streamed.
    lessons: list[tuple[str, int | None, Lesson]] | None
    lesson_count: int = 0
    digest: str = ""


@dataclass
class _LessonCheck:
    """The checks that span records (duplicate ids, titles, ids already in the graph),
    kept compact: one entry per lesson, not the lesson itself."""

    existing: GraphKeys
    known: KnownKeys
    update: bool
    errors: list[SeedError]
    practice_titles: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # id -> "file:line"
    titles: dict[int, str] = field(default_factory=dict)  # hash of title -> id
    count: int = 0

    def check(self, name: str, record: RawRecord) -> Lesson | None:
        line, data = record
        built = build_lessons([(name, record)], self.errors, self.known)
        raw_id = str(data.get("id") or "").strip() if isinstance(data, dict) else ""
        if raw_id:
            if raw_id in self.ids:
                self._error(
                    name,
                    line,
                    raw_id,
                    "id",
                    f"{raw_id!r} is a duplicate key; it is already used at {self.ids[raw_id]}",
                )
                return None
            self.ids[raw_id] = f"{name}:{line}"
        if not built:
            return None
        lesson = built[0]
        ok = True
        if not self.update and lesson.id in self.existing.lessons:
            ok = False
            self._error(
                name,
                line,
                lesson.id,
                "id",
                f"lesson id {lesson.id!r} is already in the graph; give a new one, or import "
                "with --update to replace the record in the graph",
            )
        norm = normalise_title(lesson.title)
        owner = self.existing.titles.get(norm)
        other = self.practice_titles.get(norm) or (
            f"lesson {self.titles[hash(norm)]!r}" if hash(norm) in self.titles else None
        )
        if other is not None:
            ok = False
            message = f"{lesson.title!r} is also the title of {other} in this import"
            self._error(name, line, lesson.id, "title", message)
        elif owner is not None and owner != ("Lesson", lesson.id):
            ok = False
            message = (
                f"{lesson.title!r} is already the title of {owner[0].lower()} {owner[1]!r} "
                "in the graph"
            )
            self._error(name, line, lesson.id, "title", message)
        else:
            self.titles[hash(norm)] = lesson.id
        self.count += ok
        return lesson if ok else None

    def _error(self, name: str, line: int | None, key: str, field: str, message: str) -> None:
        self.errors.append(SeedError(name, line, repr(key), field, message))


def import_file(
    graph: Graph,
    path: Path,
    *,
    update: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    batch_timeout: float = BATCH_TIMEOUT,
    max_errors: int = MAX_ERRORS,
) -> ImportResult:
    """Validate ``path`` against the graph, then write it in batches, all or nothing.

    Raises:
        ImportValidationError: naming file, line, record and field of every bad value
            (the first ``max_errors``); nothing is written.
        kb.graph.batch_writes.BulkWriteError: a batch failed in the database; naming the file
            and the lines of the batch. What the batches before it wrote is undone.
    """
    existing = graph_keys(graph)
    plan = _validate(path, existing, update, progress, max_errors)
    total = len(plan.practices) + plan.lesson_count
    done = 0

    def step(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress("write", done, total)

    step(0)
    report = write_batches(
        graph,
        _batches(path, plan, batch_size),
        source=str(path),
        batch_timeout=batch_timeout,
        progress=step,
    )
    created = sum(report.created.values())
    changed = report.changed.get("Practice", 0) + report.changed.get("Lesson", 0)
    return ImportResult(
        str(path),
        len(plan.practices),
        plan.lesson_count,
        created,
        changed - created,
        total - changed,
    )


def _validate(
    path: Path, existing: GraphKeys, update: bool, progress: Progress | None, max_errors: int
) -> _Plan:
    """The validating pass: every problem is collected before anything is written."""
    errors = CappedErrors(max_errors)
    name = str(path)
    streamed = path.is_file() and path.suffix.lower() in STREAMED
    raw = _Raw([], []) if streamed else _read_raw(path, errors, progress)
    slugs = {_slug(file, data) for file, (_, data) in raw.practices}
    known = KnownKeys(
        states=set(existing.states),
        alliances=set(existing.alliances),
        categories=set(existing.categories),
        contracts=set(existing.contracts),
        practices=set(existing.practices) | slugs,
    )
    where = _where(raw)
    practices = build_practices(raw.practices, errors, known)
    data = SeedData(practices=practices)
    check_against_graph(data, existing, where, update, errors)
    check = _LessonCheck(existing, known, update, errors)
    check.practice_titles = {normalise_title(p.title): f"practice {p.slug!r}" for p in practices}
    plan = _Plan(known, practices, None if streamed else [])
    if streamed:
        stream = RecordStream(path, name, errors)
        for number, record in enumerate(stream.records(), start=1):
            check.check(name, _without_bom(record))
            if progress is not None and number % 500 == 0:
                progress("read", stream.bytes_read, stream.size)
        plan.digest = stream.digest
        if progress is not None:
            progress("read", stream.size, stream.size)
    else:
        assert plan.lessons is not None
        for file, record in raw.lessons:
            lesson = check.check(file, record)
            if lesson is not None:
                plan.lessons.append((file, record[0], lesson))
    if not raw.practices and not check.ids and not errors.total:
        errors.append(SeedError(name, None, "(file)", None, "holds no records"))
    errors.raise_if_any()
    plan.lesson_count = check.count
    return plan


def _batches(path: Path, plan: _Plan, size: int) -> Iterator[Batch]:
    """The writing pass: practices in one batch (they link to each other), then lessons
    in batches of ``size``."""
    if plan.practices:
        rows = seed_rows(SeedData(practices=plan.practices))["Practice"]
        yield Batch("Practice", rows, f"{len(rows)} practices")
    chunk: list[tuple[str, int | None, Lesson]] = []
    for item in _lessons(path, plan):
        chunk.append(item)
        if len(chunk) == size:
            yield _lesson_batch(chunk)
            chunk = []
    if chunk:
        yield _lesson_batch(chunk)


def _lesson_batch(chunk: list[tuple[str, int | None, Lesson]]) -> Batch:
    (first, start, _), (last, end, _) = chunk[0], chunk[-1]
    if first == last:
        where = f"lines {start}-{end}" if start != end else f"line {start}"
    else:
        where = f"{first} to {last}"
    rows = seed_rows(SeedData(lessons=[lesson for _, _, lesson in chunk]))["Lesson"]
    return Batch("Lesson", rows, where)


def _lessons(path: Path, plan: _Plan) -> Iterator[tuple[str, int | None, Lesson]]:
    if plan.lessons is not None:
        yield from plan.lessons
        return
    name = str(path)
    errors: list[SeedError] = []
    stream = RecordStream(path, name, errors)
    count = 0
    for line, data in stream.records():
        for lesson in build_lessons([(name, _without_bom((line, data)))], errors, plan.known):
            count += 1
            yield name, line, lesson
    if errors or count != plan.lesson_count or stream.digest != plan.digest:
        raise SeedValidationError(
            [
                SeedError(
                    name,
                    None,
                    "(file)",
                    None,
                    "changed while it was being imported (it is not the file that was "
                    "validated); import it again once it is saved",
                )
            ]
        )


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
                kind, sorted_record = sort_markdown(file, shown, record, errors)
                target = raw.practices if kind == "practice" else raw.lessons
                target.append((shown, sorted_record))
            if progress is not None:
                progress("read", done, len(files))
        return raw
    reader = read_yaml_list if path.suffix.lower() in (".yaml", ".yml") else None
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
