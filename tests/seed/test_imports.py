"""Import: CSV, JSON Lines and Markdown folders, validated like the seed, all-or-nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kb.graph.changes import last_sequence
from kb.graph.db import Graph
from kb.graph.load import load_seed
from kb.graph.stats import GraphStats, graph_stats
from kb.seed import SeedData, SeedValidationError
from kb.seed.imports import import_file

COLUMNS = [
    "id",
    "title",
    "context",
    "lesson",
    "recommendation",
    "recorded",
    "status",
    "state",
    "alliance",
    "contract",
    "categories",
    "practice",
    "tags",
    "illustrative",
]


def lesson(**changes: Any) -> dict[str, Any]:
    """A valid lesson that refers to records of the seed."""
    record: dict[str, Any] = {
        "id": "L-9001",
        "title": "Imported: confirm the data-residency clause before signing the PA",
        "context": "A participating addendum (PA) was signed before legal review.",
        "lesson": "The master agreement allowed hosting abroad unless the PA said otherwise.",
        "recommendation": "Add a data-residency clause to the PA template.",
        "recorded": "2024-02-01",
        "status": "OBSERVATION",
        "state": "UT",
        "alliance": "naspo-valuepoint",
        "contract": "nvp-cloud-solutions",
        "categories": "920;204",
        "practice": "cloud-services-procurement",
        "tags": "cloud; data residency",
        "illustrative": "true",
    }
    record.update(changes)
    return record


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] = COLUMNS) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


class Snapshot:
    """What the graph holds, to show that a failed import wrote nothing."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.stats: GraphStats = graph_stats(graph)
        self.sequence = last_sequence(graph)

    def unchanged(self) -> bool:
        return graph_stats(self.graph) == self.stats and last_sequence(self.graph) == self.sequence


@pytest.fixture
def snapshot(seeded_graph: Graph) -> Iterator[Snapshot]:
    yield Snapshot(seeded_graph)


def rejected(graph: Graph, path: Path, **options: Any) -> list[str]:
    """The errors of an import that must fail, after checking it wrote nothing."""
    before = Snapshot(graph)
    with pytest.raises(SeedValidationError) as caught:
        import_file(graph, path, **options)
    assert before.unchanged()
    return [str(error) for error in caught.value.errors]


def lesson_row(graph: Graph, lesson_id: str) -> dict[str, Any]:
    rows = graph.read(
        "MATCH (n:Lesson {id: $id})-[:FROM]->(s:State) "
        "RETURN n.title AS title, n.recordedOn AS recorded, n.tags AS tags, n.status AS status, "
        "s.code AS state, n.context AS context, "
        "COLLECT { MATCH (n)-[:ABOUT]->(c:Category) RETURN c.code ORDER BY c.code } AS categories, "
        "COLLECT { MATCH (n)-[:ABOUT]->(c:Contract) RETURN c.slug } AS contracts, "
        "COLLECT { MATCH (n)-[:PART_OF]->(p:Practice) RETURN p.slug } AS practices",
        id=lesson_id,
    )
    assert len(rows) == 1, f"lesson {lesson_id} is not in the graph"
    row = rows[0]
    row["recorded"] = row["recorded"].to_native()
    return row


# -- good imports ---------------------------------------------------------------------


def test_csv_import_writes_lessons_with_their_links(
    seeded_graph: Graph, snapshot: Snapshot, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "register.csv",
        [lesson(), lesson(id="L-9002", title="Imported: a second lesson", categories="")],
    )
    steps: list[tuple[str, int, int]] = []
    result = import_file(seeded_graph, path, progress=lambda *step: steps.append(step))

    assert (result.lessons, result.practices, result.created, result.replaced) == (2, 0, 2, 0)
    stats = graph_stats(seeded_graph)
    assert stats.nodes["Lesson"] == snapshot.stats.nodes["Lesson"] + 2
    assert lesson_row(seeded_graph, "L-9001") == {
        "title": "Imported: confirm the data-residency clause before signing the PA",
        "recorded": date(2024, 2, 1),
        "tags": ["cloud", "data residency"],
        "status": "OBSERVATION",
        "state": "UT",
        "context": "A participating addendum (PA) was signed before legal review.",
        "categories": ["204", "920"],
        "contracts": ["nvp-cloud-solutions"],
        "practices": ["cloud-services-procurement"],
    }
    assert lesson_row(seeded_graph, "L-9002")["categories"] == []
    reads = [s for s in steps if s[0] == "read"]
    size = path.stat().st_size
    assert reads[-1] == ("read", size, size) and steps[-1] == ("write", 2, 2)
    changes = seeded_graph.read(
        "MATCH (c:Change) WHERE c.seq > $seq RETURN c.id AS id, c.author AS author ORDER BY c.seq",
        seq=snapshot.sequence,
    )
    assert changes == [{"id": "L-9001", "author": "import"}, {"id": "L-9002", "author": "import"}]


def test_jsonl_import_takes_lists_as_arrays(seeded_graph: Graph, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "register.jsonl",
        [lesson(categories=["615"], tags=["office", "toner"], contract=None, practice=None)],
    )
    result = import_file(seeded_graph, path)
    assert result.lessons == 1
    row = lesson_row(seeded_graph, "L-9001")
    assert (row["categories"], row["tags"], row["contracts"]) == (["615"], ["office", "toner"], [])


def test_csv_saved_by_a_spreadsheet_with_a_byte_order_mark_is_read(
    seeded_graph: Graph, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "register.csv", [lesson()])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # as Excel saves "CSV UTF-8"
    assert import_file(seeded_graph, path).created == 1
    assert lesson_row(seeded_graph, "L-9001")["state"] == "UT"


def test_yaml_import_takes_the_seed_lesson_format(seeded_graph: Graph, tmp_path: Path) -> None:
    path = tmp_path / "lessons.yaml"
    path.write_text(
        "- id: L-9001\n  title: A lesson in the seed's own format\n  context: c\n"
        "  lesson: l\n  recommendation: r\n  recorded: 2023-05-04\n"
        "  status: LESSON_LEARNED\n  state: PR\n  categories: ['615']\n"
        "  source: https://example.org/register\n"
    )
    assert import_file(seeded_graph, path).created == 1
    row = lesson_row(seeded_graph, "L-9001")
    assert (row["state"], row["recorded"], row["categories"]) == ("PR", date(2023, 5, 4), ["615"])


def test_import_writes_more_lessons_than_one_batch(seeded_graph: Graph, tmp_path: Path) -> None:
    rows = [lesson(id=f"L-9{n:03d}", title=f"Imported lesson number {n}") for n in range(120)]
    steps: list[tuple[str, int, int]] = []
    result = import_file(
        seeded_graph,
        write_jsonl(tmp_path / "many.jsonl", rows),
        progress=lambda *s: steps.append(s),
        batch_size=50,
    )
    assert result.created == 120
    assert [s for s in steps if s[0] == "write"] == [
        ("write", 0, 120),
        ("write", 50, 120),
        ("write", 100, 120),
        ("write", 120, 120),
    ]
    count = seeded_graph.read(
        "MATCH (n:Lesson)-[:PART_OF]->(:Practice) WHERE n.id STARTS WITH 'L-9' RETURN count(n) AS n"
    )
    assert count == [{"n": 120}]


PRACTICE = """---
title: Imported practice on reviewing cloud terms
summary: Check a cloud master agreement's data terms before a participating addendum.
focus_area: Contract Administration
states: [UT]
categories: ["920"]
contracts: [nvp-cloud-solutions]
tags: [cloud, terms]
published: 2024-04-02
related: [cloud-services-procurement]
prerequisites: [participating-addenda]
illustrative: true
---
## Context

Text of the practice.
"""

LESSON = """---
id: L-9101
title: Imported lesson written as Markdown
recorded: 2024-05-06
status: LESSON_IDENTIFIED
state: GU
practice: reviewing-cloud-terms
tags: [cloud]
illustrative: true
---
## Context

A territory signed a PA for cloud services.

## Lesson

The data terms needed a closer look.

## Recommendation

Read the data terms first.
"""


def test_markdown_folder_imports_practices_and_lessons(
    seeded_graph: Graph, snapshot: Snapshot, tmp_path: Path
) -> None:
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "reviewing-cloud-terms.md").write_text(PRACTICE)
    (folder / "l-9101.md").write_text(LESSON)

    result = import_file(seeded_graph, folder)

    assert (result.practices, result.lessons, result.created) == (1, 1, 2)
    row = lesson_row(seeded_graph, "L-9101")
    assert row["practices"] == ["reviewing-cloud-terms"]
    assert row["context"] == "A territory signed a PA for cloud services."
    links = seeded_graph.read(
        "MATCH (p:Practice {slug: 'reviewing-cloud-terms'}) RETURN p.focusArea AS focus, "
        "p.body AS body, "
        "COLLECT { MATCH (b:Practice)-[:PREREQUISITE_OF]->(p) RETURN b.slug } AS before, "
        "COLLECT { MATCH (p)-[:RELATED_TO]->(r:Practice) RETURN r.slug } AS related"
    )
    assert links == [
        {
            "focus": "Contract Administration",
            "body": "## Context\n\nText of the practice.",
            "before": ["participating-addenda"],
            "related": ["cloud-services-procurement"],
        }
    ]
    assert graph_stats(seeded_graph).nodes["Practice"] == snapshot.stats.nodes["Practice"] + 1


def test_update_replaces_a_lesson_already_in_the_graph(
    seeded_graph: Graph, snapshot: Snapshot, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "fix.csv", [lesson(id="L-0001", title="A corrected title")])
    result = import_file(seeded_graph, path, update=True)
    assert (result.created, result.replaced, result.unchanged) == (0, 1, 0)
    assert lesson_row(seeded_graph, "L-0001")["title"] == "A corrected title"
    assert graph_stats(seeded_graph).nodes == snapshot.stats.nodes
    again = import_file(seeded_graph, path, update=True)
    assert (again.created, again.replaced, again.unchanged) == (0, 0, 1)


# -- bad imports: nothing is written ---------------------------------------------------

_pristine: list[tuple[GraphStats, int]] = []


@pytest.fixture
def seed_graph(session_graph: Graph, seed_data: SeedData) -> Graph:
    """The seed alone, reused between the tests below while nothing changes it.

    Each of these tests asserts that its import wrote nothing; the graph is emptied and
    seeded again only when its counts or change-log sequence moved (another test wrote).
    """
    mark = (graph_stats(session_graph), last_sequence(session_graph))
    if not _pristine or _pristine[0] != mark:
        session_graph.write("MATCH (n) DETACH DELETE n")
        load_seed(session_graph, seed_data)
        _pristine[:] = [(graph_stats(session_graph), last_sequence(session_graph))]
    return session_graph


def test_unknown_state_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [lesson(), lesson(id="L-9002", title="B", state="XX")])
    errors = rejected(seed_graph, path)
    assert len(errors) == 1
    assert errors[0].startswith(
        f"{path}:3: record 'L-9002', field 'state': 'XX' is not a known state code; "
        "expected one of AK, AL,"
    )


def test_dangling_reference_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [lesson(practice="no-such-practice")])
    errors = rejected(seed_graph, path)
    assert len(errors) == 1
    assert errors[0].startswith(
        f"{path}:1: record 'L-9001', field 'practice': 'no-such-practice' is not a known "
        "practice slug"
    )


def test_duplicate_id_within_the_file_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [lesson(), lesson(title="Another title")])
    assert rejected(seed_graph, path) == [
        f"{path}:3: record 'L-9001', field 'id': 'L-9001' is a duplicate key; it is already "
        f"used at {path}:2"
    ]


def test_id_already_in_the_graph_is_rejected_without_update(
    seed_graph: Graph, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "bad.csv", [lesson(id="L-0001", title="A corrected title")])
    assert rejected(seed_graph, path) == [
        f"{path}:2: record 'L-0001', field 'id': lesson id 'L-0001' is already in the graph; "
        "give a new one, or import with --update to replace the record in the graph"
    ]


def test_practice_slug_already_in_the_graph_is_rejected_without_update(
    seed_graph: Graph, tmp_path: Path
) -> None:
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "lead-state-model.md").write_text(PRACTICE.replace("[participating-addenda]", "[]"))
    name = folder / "lead-state-model.md"
    assert rejected(seed_graph, folder) == [
        f"{name}:1: record 'lead-state-model', field 'slug': practice slug 'lead-state-model' "
        "is already in the graph; give a new one, or import with --update to replace the "
        "record in the graph"
    ]


def test_title_of_a_record_in_the_graph_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    taken = "The lead-state model of cooperative solicitation"
    path = write_csv(tmp_path / "bad.csv", [lesson(title=taken.upper())])
    assert rejected(seed_graph, path) == [
        f"{path}:2: record 'L-9001', field 'title': {taken.upper()!r} is already the title "
        "of practice 'lead-state-model' in the graph"
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"lesson": ""}, "lesson", "is missing; a non-empty text is required"),
        ({"recorded": "2024-13-01"}, "recorded", "'2024-13-01' is not a date; expected YYYY-MM-DD"),
        ({"recorded": "1 Feb 2024"}, "recorded", "'1 Feb 2024' is not a date; expected YYYY-MM-DD"),
        ({"status": "DONE"}, "status", "'DONE' is not accepted; expected one of LESSON_IDENTIFIED"),
        ({"categories": "920;999"}, "categories", "'999' is not a known category code"),
        ({"illustrative": ""}, "source", "is missing; give a source or mark the record"),
    ],
)
def test_bad_field_is_rejected(
    seed_graph: Graph, tmp_path: Path, change: dict[str, str], field: str, message: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", [lesson(**change)])
    errors = rejected(seed_graph, path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:2: record 'L-9001', field '{field}': {message}")


def test_missing_column_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    columns = [c for c in COLUMNS if c != "lesson"]
    path = write_csv(tmp_path / "bad.csv", [lesson()], columns)
    assert rejected(seed_graph, path) == [
        f"{path}:2: record 'L-9001', field 'lesson': is missing; a non-empty text is required"
    ]


def test_unknown_column_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [lesson(owner="me")], [*COLUMNS, "owner"])
    errors = rejected(seed_graph, path)
    assert errors[0].startswith(f"{path}:2: record 'L-9001', field 'owner': is not a known field")


def test_malformed_csv_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [lesson(), lesson(id="L-9002", title="B")])
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, "L-9003,only three,cells"]) + "\n")
    assert rejected(seed_graph, path) == [
        f"{path}:4: record on line 4: has 3 cells; the header has 14 ({', '.join(COLUMNS)})"
    ]


def test_unterminated_csv_quote_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(",".join(COLUMNS) + '\nL-9001,"no closing quote\n')
    errors = rejected(seed_graph, path)
    assert len(errors) == 1 and errors[0].startswith(f"{path}:")
    assert "is not valid CSV" in errors[0]


def test_malformed_json_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [lesson()])
    path.write_text(path.read_text() + '{"id": "L-9002", "title": \n')
    assert rejected(seed_graph, path) == [
        f"{path}:2: record on line 2: is not valid JSON: Expecting value"
    ]


def test_one_bad_record_keeps_the_good_ones_out(seed_graph: Graph, tmp_path: Path) -> None:
    rows = [lesson(id=f"L-91{n:02d}", title=f"Good lesson {n}") for n in range(10)]
    rows.append(lesson(id="L-9199", title="Bad lesson", recorded="yesterday"))
    errors = rejected(seed_graph, write_jsonl(tmp_path / "mixed.jsonl", rows))
    assert len(errors) == 1 and ":11: record 'L-9199', field 'recorded'" in errors[0]
    assert seed_graph.read("MATCH (n:Lesson) WHERE n.id STARTS WITH 'L-91' RETURN n.id") == []


def test_unknown_file_kind_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    path.write_bytes(b"PK")
    assert rejected(seed_graph, path) == [
        f"{path}: record (file): is not a known kind; expected a .csv, .jsonl, .ndjson, .yaml "
        "or .yml file of lessons, or a folder of .md files"
    ]


def test_empty_file_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n")
    assert rejected(seed_graph, path) == [f"{path}: record (file): holds no records"]


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "register"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_markdown_lesson_with_an_unknown_heading_is_rejected(
    seed_graph: Graph, tmp_path: Path
) -> None:
    text = LESSON.replace("practice: reviewing-cloud-terms\n", "").replace(
        "## Lesson", "## Findings"
    )
    folder = _folder(tmp_path, {"l-9101.md": text})
    errors = rejected(seed_graph, folder)
    assert errors[0].startswith(
        f"{folder / 'l-9101.md'}:14: record 'L-9101': heading '## Findings' is not a lesson "
        "section; accepted: '## Context'"
    )
    assert errors[1] == (
        f"{folder / 'l-9101.md'}:1: record 'L-9101', field 'lesson': is missing; a non-empty "
        "text is required"
    )


def test_markdown_lesson_text_given_twice_is_rejected(seed_graph: Graph, tmp_path: Path) -> None:
    text = LESSON.replace("practice: reviewing-cloud-terms\n", "lesson: Said up here.\n")
    folder = _folder(tmp_path, {"l-9101.md": text})
    assert rejected(seed_graph, folder) == [
        f"{folder / 'l-9101.md'}:15: record 'L-9101', field 'lesson': is given twice, in the "
        "front matter and as a section of the body; keep one"
    ]


def test_markdown_lesson_referring_to_a_practice_left_out_is_rejected(
    seed_graph: Graph, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, {"l-9101.md": LESSON})
    errors = rejected(seed_graph, folder)
    assert len(errors) == 1
    assert errors[0].startswith(
        f"{folder / 'l-9101.md'}:1: record 'L-9101', field 'practice': 'reviewing-cloud-terms' "
        "is not a known practice slug"
    )


def test_prerequisite_closing_a_cycle_through_the_graph_is_rejected(
    seed_graph: Graph, tmp_path: Path
) -> None:
    # The graph has spend-analysis -> strategic-planning; the import makes it circular.
    text = (
        PRACTICE.replace("Imported practice on reviewing cloud terms", "Spend analysis, again")
        .replace("[cloud-services-procurement]", "[]")
        .replace("[participating-addenda]", "[strategic-procurement-planning]")
    )
    folder = _folder(tmp_path, {"spend-analysis-and-category-planning.md": text})
    errors = rejected(seed_graph, folder, update=True)
    assert errors == [
        f"{folder / 'spend-analysis-and-category-planning.md'}:1: record "
        "'spend-analysis-and-category-planning', field 'prerequisites': closes a cycle with "
        "practices in the graph: spend-analysis-and-category-planning -> "
        "strategic-procurement-planning -> spend-analysis-and-category-planning"
    ]
