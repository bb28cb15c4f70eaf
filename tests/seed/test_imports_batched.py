"""Large imports: streamed validation, batched writes, all or nothing on a real failure.

The failure injected here is Neo4j's own: another transaction holds the write lock of
a lesson that the middle batch updates, so that batch waits until Neo4j aborts it at
its transaction timeout, as it would behind a long-running editor's write.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kb.graph.batch_writes import BulkWriteError
from kb.graph.db import Graph
from kb.graph.stats import graph_stats
from kb.seed.imports import ImportValidationError, import_file
from tests.seed.test_imports import Snapshot, lesson, write_csv

JOURNAL = "MATCH (n) WHERE n:Import OR n:ImportBatch OR n:ImportUndo OR n:ImportUndoLink "


def rows(count: int, first: int = 100_000) -> list[dict[str, Any]]:
    """``count`` valid lessons with new ids and titles (row n is on line n + 2)."""
    return [
        lesson(id=f"L-{first + n}", title=f"Batched lesson {first + n}", tags="batch")
        for n in range(count)
    ]


def journal_nodes(graph: Graph) -> int:
    count: int = graph.read(JOURNAL + "RETURN count(n) AS n")[0]["n"]
    return count


def record(graph: Graph, lesson_id: str) -> dict[str, Any]:
    """Every property of a lesson and every link it owns, to compare before and after."""
    found = graph.read(
        "MATCH (n:Lesson {id: $id}) RETURN properties(n) AS props, "
        "COLLECT { MATCH (n)-[x]->(m) RETURN type(x) + '>' + m.id ORDER BY type(x), m.id } "
        "AS links",
        id=lesson_id,
    )
    assert len(found) == 1, f"lesson {lesson_id} is not in the graph"
    return found[0]


@contextmanager
def locked(graph: Graph, lesson_id: str) -> Iterator[None]:
    """Hold the write lock of a lesson in another transaction (rolled back at the end)."""
    with graph.driver.session(database=graph.database) as session:
        tx = session.begin_transaction()
        try:
            tx.run("MATCH (n:Lesson {id: $id}) SET n.heldBy = 'test'", id=lesson_id).consume()
            yield
        finally:
            tx.rollback()


def test_batched_import_writes_every_row_and_its_change_entries(
    seeded_graph: Graph, tmp_path: Path
) -> None:
    before = Snapshot(seeded_graph)
    path = write_csv(tmp_path / "register.csv", rows(5000))
    steps: list[tuple[str, int, int]] = []

    result = import_file(
        seeded_graph, path, batch_size=700, progress=lambda *step: steps.append(step)
    )

    assert (result.lessons, result.created, result.replaced) == (5000, 5000, 0)
    written = seeded_graph.read(
        "MATCH (n:Lesson)-[:FROM]->(:State {code: 'UT'}) WHERE n.id >= 'L-100000' "
        "AND (n)-[:PART_OF]->(:Practice {slug: 'cloud-services-procurement'}) "
        "RETURN count(n) AS n, count(DISTINCT n.title) AS titles"
    )
    assert written == [{"n": 5000, "titles": 5000}]
    changes = seeded_graph.read(
        "MATCH (c:Change) WHERE c.seq > $seq RETURN c.label AS label, c.op AS op, "
        "c.author AS author, count(*) AS n, count(DISTINCT c.id) AS ids",
        seq=before.sequence,
    )
    assert changes == [
        {"label": "Lesson", "op": "UPSERT", "author": "import", "n": 5000, "ids": 5000}
    ]
    writes = [s for s in steps if s[0] == "write"]
    assert writes[:2] == [("write", 0, 5000), ("write", 700, 5000)]
    assert writes[-2:] == [("write", 4900, 5000), ("write", 5000, 5000)]
    assert len(writes) == 1 + 8  # the start, then 8 batches
    assert journal_nodes(seeded_graph) == 0


def test_invalid_rows_are_all_named_before_anything_is_written(
    seeded_graph: Graph, tmp_path: Path
) -> None:
    records = rows(5000)
    records[15]["state"] = "XX"  # line 17
    records[4319]["recorded"] = "2024-13-45"  # line 4321
    path = write_csv(tmp_path / "register.csv", records)
    before = Snapshot(seeded_graph)

    with pytest.raises(ImportValidationError) as caught:
        import_file(seeded_graph, path, batch_size=500)

    errors = [str(error) for error in caught.value.errors]
    assert len(errors) == 2
    assert errors[0].startswith(f"{path}:17: record 'L-100015', field 'state': 'XX' is not")
    assert errors[1].startswith(f"{path}:4321: record 'L-104319', field 'recorded':")
    assert before.unchanged()
    assert journal_nodes(seeded_graph) == 0


def test_problems_are_collected_up_to_the_cap_and_all_counted(
    seeded_graph: Graph, tmp_path: Path
) -> None:
    records = rows(40)
    for item in records[:30]:
        item["status"] = "MAYBE"
    path = write_csv(tmp_path / "register.csv", records)

    with pytest.raises(ImportValidationError) as caught:
        import_file(seeded_graph, path, max_errors=10)

    assert len(caught.value.errors) == 10 and caught.value.total == 30
    assert "30 problems in all; the first 10 are kept" in str(caught.value)
    assert str(caught.value.errors[-1]).startswith(f"{path}:11: record 'L-100009'")


def test_failed_middle_batch_leaves_nothing_and_restores_updated_records(
    seeded_graph: Graph, tmp_path: Path
) -> None:
    early, middle = "L-0001", "L-0002"  # seed lessons the import updates
    records = rows(500)
    records[10] = lesson(id=early, title="Updated by the import", state="WY", categories="615")
    records[250] = lesson(id=middle, title="Also updated by the import")
    path = write_csv(tmp_path / "register.csv", records)
    before = Snapshot(seeded_graph)
    early_before, middle_before = record(seeded_graph, early), record(seeded_graph, middle)

    with locked(seeded_graph, middle), pytest.raises(BulkWriteError) as caught:
        import_file(seeded_graph, path, update=True, batch_size=100, batch_timeout=2)

    message = str(caught.value)
    assert message.startswith(f"{path}: import failed at batch 3 (lines 202-301): ")
    assert message.endswith("nothing from it remains (the batches before it were rolled back)")
    assert "\n" not in message and caught.value.rolled_back
    assert graph_stats(seeded_graph) == before.stats
    assert record(seeded_graph, early) == early_before
    assert record(seeded_graph, middle) == middle_before
    assert seeded_graph.read("MATCH (n:Lesson) WHERE n.id >= 'L-100000' RETURN n.id") == []
    assert journal_nodes(seeded_graph) == 0
    # The index follows: entries for the batches written, then for their undoing.
    changes = seeded_graph.read(
        "MATCH (c:Change) WHERE c.seq > $seq WITH c.op AS op, c.author AS author, "
        "count(*) AS n, min(c.seq) AS first RETURN op, author, n ORDER BY first",
        seq=before.sequence,
    )
    assert changes == [
        {"op": "UPSERT", "author": "import", "n": 200},
        {"op": "DELETE", "author": "import-rollback", "n": 199},
        {"op": "UPSERT", "author": "import-rollback", "n": 1},
    ]


def test_an_import_killed_midway_is_rolled_back_by_the_next_one(
    seeded_graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "register.csv", rows(300))
    before = Snapshot(seeded_graph)
    command = [str(Path(sys.executable).parent / "kb"), "import", str(path), "--batch-size", "100"]
    env = {**os.environ, **test_env}
    with locked(seeded_graph, "L-0003"):
        # Batch 3 updates L-0003 and waits for its lock: kill the process there.
        records = rows(300)
        records[250] = lesson(id="L-0003", title="Killed while importing")
        write_csv(path, records)
        process = subprocess.Popen(
            [*command, "--update"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 120
        while seeded_graph.read("MATCH (b:ImportBatch) RETURN count(b) AS n")[0]["n"] < 2:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the import never reached its third batch"
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.communicate()
    assert seeded_graph.read("MATCH (n:Lesson) WHERE n.id >= 'L-100000' RETURN count(n) AS n") == [
        {"n": 200}
    ]

    again = import_file(seeded_graph, write_csv(tmp_path / "other.csv", rows(3, first=200_000)))

    assert again.created == 3
    assert seeded_graph.read("MATCH (n:Lesson) WHERE n.id >= 'L-100000' RETURN n.id AS id") == [
        {"id": f"L-{200_000 + n}"} for n in range(3)
    ]
    assert graph_stats(seeded_graph).nodes["Lesson"] == before.stats.nodes["Lesson"] + 3
    assert journal_nodes(seeded_graph) == 0
