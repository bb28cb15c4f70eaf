"""The check-seed, import and export commands, run as a user runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from kb.cli import main
from kb.config import PROJECT_ROOT
from kb.graph.db import Graph
from kb.graph.stats import graph_stats
from kb.seed import SeedData, read_seed

SEED_DIR = PROJECT_ROOT / "seed"

LESSON_CSV = (
    "id,title,context,lesson,recommendation,recorded,status,state,categories,tags,illustrative\n"
    "L-9301,Imported from the command line,What happened.,What was learned.,"
    "What to do.,2024-03-04,OBSERVATION,WY,920;204,cli; import,true\n"
)


def kb(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def seed_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    return target


def drop_lessons(directory: Path, lesson_ids: set[str]) -> None:
    """Rewrite the lesson files of a seed copy without the given lessons."""
    for path in (directory / "lessons").glob("*.yaml"):
        lessons = yaml.safe_load(path.read_text())
        kept = [x for x in lessons if x["id"] not in lesson_ids]
        if len(kept) != len(lessons):
            path.write_text(yaml.safe_dump(kept, sort_keys=False, allow_unicode=True))


# -- check-seed ----------------------------------------------------------------------


def test_check_seed_passes_on_the_real_seed(test_env: dict[str, str]) -> None:
    result = kb(test_env, "check-seed", "--dir", str(SEED_DIR))
    assert result.exit_code == 0, result.output
    assert "every coverage rule holds" in result.stdout
    assert "Guam" in result.stdout and "naspo-valuepoint" in result.stdout
    assert "needs-assessment-and-requirements-definition -> market-research" in result.stdout


def test_check_seed_names_a_contract_left_without_lessons(
    test_env: dict[str, str], seed_data: SeedData, tmp_path: Path
) -> None:
    contract = min(
        seed_data.contracts,
        key=lambda c: sum(c.slug in x.contracts for x in seed_data.lessons),
    )
    directory = seed_copy(tmp_path)
    drop_lessons(directory, {x.id for x in seed_data.lessons if contract.slug in x.contracts})

    result = kb(test_env, "check-seed", "--dir", str(directory))

    assert result.exit_code == 1, result.output
    assert (
        f"coverage: contract {contract.slug!r} ({contract.title}): has no lesson "
        "(rule: contract has a lesson)"
    ) in result.stderr


def test_check_seed_names_a_category_left_without_practices(
    test_env: dict[str, str], tmp_path: Path
) -> None:
    directory = seed_copy(tmp_path)
    for path in (directory / "practices").glob("*.md"):
        text = path.read_text()
        # Every practice of class 266 loses it: '"266"' in a flow list of codes.
        path.write_text(text.replace(', "266"', "").replace('"266", ', "").replace('["266"]', "[]"))
    assert all("266" not in p.categories for p in read_seed(directory).practices)

    result = kb(test_env, "check-seed", "--dir", str(directory))

    assert result.exit_code == 1, result.output
    assert "coverage: category '266' (Drugs and pharmaceuticals): has no practice" in result.stderr


def test_check_seed_exits_2_on_a_bad_reference(test_env: dict[str, str], tmp_path: Path) -> None:
    directory = seed_copy(tmp_path)
    (directory / "lessons" / "zz-test.yaml").write_text(
        "- id: L-9999\n  title: A lesson from nowhere\n  context: c\n  lesson: l\n"
        "  recommendation: r\n  recorded: 2024-01-02\n  status: OBSERVATION\n"
        "  state: XX\n  illustrative: true\n"
    )
    result = kb(test_env, "check-seed", "--dir", str(directory))
    assert result.exit_code == 2, result.output
    assert (
        "seed/lessons/zz-test.yaml:1: record 'L-9999', field 'state': 'XX' is not a known "
        "state code"
    ) in result.stderr


# -- import and export --------------------------------------------------------------


def test_import_command_writes_a_csv_register(
    test_env: dict[str, str], seeded_graph: Graph, tmp_path: Path
) -> None:
    before = graph_stats(seeded_graph).nodes["Lesson"]
    path = tmp_path / "register.csv"
    path.write_text(LESSON_CSV)

    result = kb(test_env, "import", str(path))

    assert result.exit_code == 0, result.output
    assert f"imported 0 practice(s) and 1 lesson(s) from {path}: 1 new, 0 replaced" in (
        " ".join(result.stdout.split())
    )
    assert graph_stats(seeded_graph).nodes["Lesson"] == before + 1
    rows = seeded_graph.read(
        "MATCH (:Lesson {id: 'L-9301'})-[:FROM]->(s:State) RETURN s.code AS state"
    )
    assert rows == [{"state": "WY"}]


def test_import_command_rejects_an_id_in_the_graph_unless_updating(
    test_env: dict[str, str], seeded_graph: Graph, tmp_path: Path
) -> None:
    path = tmp_path / "register.csv"
    path.write_text(LESSON_CSV.replace("L-9301", "L-0001"))
    before = graph_stats(seeded_graph)

    rejected = kb(test_env, "import", str(path))

    assert rejected.exit_code == 2, rejected.output
    assert f"{path}:2: record 'L-0001', field 'id': lesson id 'L-0001' is already in the graph" in (
        rejected.stderr
    )
    assert graph_stats(seeded_graph) == before

    updated = kb(test_env, "import", "--update", str(path))

    assert updated.exit_code == 0, updated.output
    assert "0 new, 1 replaced" in updated.stdout
    title = seeded_graph.read("MATCH (n:Lesson {id: 'L-0001'}) RETURN n.title AS t")
    assert title == [{"t": "Imported from the command line"}]


def test_export_command_writes_a_seed_that_reads_back(
    test_env: dict[str, str], seeded_graph: Graph, seed_data: SeedData, tmp_path: Path
) -> None:
    target = tmp_path / "backup"
    result = kb(test_env, "export", str(target))
    assert result.exit_code == 0, result.output
    printed = " ".join(result.stdout.split())
    assert f"{len(seed_data.lessons)} lessons, 0 certifications" in printed
    assert f"0 curricula to {target}" in printed
    exported = read_seed(target)
    assert (len(exported.practices), len(exported.lessons), len(exported.memberships)) == (
        len(seed_data.practices),
        len(seed_data.lessons),
        len(seed_data.memberships),
    )


def test_export_command_refuses_a_directory_with_files(
    test_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = kb(test_env, "export", str(tmp_path))
    assert result.exit_code == 1
    assert "is not an empty directory" in result.stderr


# -- batched imports and seeds -------------------------------------------------------


def _register(path: Path, count: int, updated: str | None = None) -> Path:
    lines = [LESSON_CSV.splitlines()[0]]
    row = LESSON_CSV.splitlines()[1]
    for n in range(count):
        lines.append(row.replace("L-9301", f"L-{93100 + n}").replace("line,", f"line {n},"))
    if updated is not None:
        lines[-1] = row.replace("L-9301", updated).replace("line,", "line (updated),")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_import_command_shows_its_progress_batch_by_batch(
    test_env: dict[str, str], seeded_graph: Graph, tmp_path: Path
) -> None:
    path = _register(tmp_path / "register.csv", 5)

    result = kb(test_env, "import", str(path), "--batch-size", "2")

    assert result.exit_code == 0, result.output
    assert "validating" in result.stderr and "100%" in result.stderr
    assert "writing" in result.stderr and "5/5" in result.stderr
    assert "5 new, 0 replaced" in result.stdout
    found = seeded_graph.read(
        "MATCH (n:Lesson) WHERE n.id STARTS WITH 'L-931' RETURN count(n) AS n"
    )
    assert found == [{"n": 5}]


def test_import_command_names_the_failed_batch_in_one_line(
    test_env: dict[str, str], seeded_graph: Graph, tmp_path: Path
) -> None:
    from tests.seed.test_imports_batched import locked

    path = _register(tmp_path / "register.csv", 5, updated="L-0002")  # in batch 3
    before = graph_stats(seeded_graph)

    with locked(seeded_graph, "L-0002"):
        result = kb(
            test_env, "import", str(path), "--update", "--batch-size", "2", "--batch-timeout", "1"
        )

    assert result.exit_code == 1, result.output
    message = " ".join(result.stderr.split("error:", 1)[1].split())
    assert message.startswith(f"{path}: import failed at batch 3 (line 6): ")
    assert message.endswith("nothing from it remains (the batches before it were rolled back)")
    assert "Traceback" not in result.output
    assert graph_stats(seeded_graph) == before


def test_seed_command_writes_in_batches_and_twice_changes_nothing(
    test_env: dict[str, str], graph: Graph, seed_data: SeedData
) -> None:
    first = kb(test_env, "seed", "--batch-size", "25")

    assert first.exit_code == 0, first.output
    assert "writing" in first.stderr and "100%" in first.stderr
    assert graph_stats(graph).nodes["Lesson"] == len(seed_data.lessons)
    again = kb(test_env, "seed", "--batch-size", "25")
    assert again.exit_code == 0, again.output
    assert again.stdout.rstrip().endswith("0 change(s) written")
