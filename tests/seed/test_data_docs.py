"""docs/data.md stays honest: its import examples import."""

from __future__ import annotations

import re
from pathlib import Path

from kb.config import PROJECT_ROOT
from kb.graph.db import Graph
from kb.seed.imports import import_file

DOC = PROJECT_ROOT / "docs" / "data.md"


def example(language: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    assert len(blocks) == 1, f"expected one {language} example in {DOC}"
    return str(blocks[0])


def test_documented_examples_import_and_agree(seeded_graph: Graph, tmp_path: Path) -> None:
    csv_file = tmp_path / "register.csv"
    csv_file.write_text(example("csv"))
    jsonl_file = tmp_path / "register.jsonl"
    jsonl_file.write_text(example("json"))
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "l-9002.md").write_text(example("markdown"))

    assert import_file(seeded_graph, csv_file).created == 1
    # The JSON example describes the same lesson as the CSV one: nothing to change.
    again = import_file(seeded_graph, jsonl_file, update=True)
    assert (again.created, again.replaced, again.unchanged) == (0, 0, 1)
    assert import_file(seeded_graph, folder).created == 1
    rows = seeded_graph.read(
        "MATCH (n:Lesson)-[:ABOUT]->(:Contract {slug: 'nvp-cloud-solutions'}) "
        "WHERE n.id IN ['L-9001', 'L-9002'] RETURN n.id AS id ORDER BY id"
    )
    assert rows == [{"id": "L-9001"}, {"id": "L-9002"}]
