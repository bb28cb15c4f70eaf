"""One set of rules: the seed reader accepts the records the API can create (optional
fields left out, several alliances on a lesson, a curriculum being assembled), and
``history.csv`` names records of the seed. No database needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.config import PROJECT_ROOT
from kb.graph.load import seed_rows
from kb.graph.seed_drift import SeedDrift, compare_rows
from kb.seed import SeedData, SeedValidationError, read_seed
from kb.seed.curriculum_files import read_curricula
from kb.seed.export import write_seed
from kb.seed.history import read_history, seed_keys

SEED_DIR = PROJECT_ROOT / "seed"

API_LESSON = """
- id: L-0990
  title: A freezer alarm nobody answered
  lesson: Name who answers the alarm before the contract starts.
  state: MN
  alliance: [mmcap, tips]
  illustrative: true
"""
API_PRACTICE = """---
title: Cold storage for vaccines
illustrative: true
---

## Context
Freezers fail in heat waves.
"""
API_CURRICULUM = """
- id: api-made-course
  title: A course assembled through the API
  audience: New buyers
  level: INTRODUCTORY
  modules:
    - key: cold-chain
      title: Cold chain
      items:
        - practice: cold-storage-for-vaccines
    - key: to-be-written
      title: To be written
"""


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    return target


def _add_api_records(directory: Path) -> None:
    (directory / "lessons" / "undated.yaml").write_text(API_LESSON)
    (directory / "practices" / "cold-storage-for-vaccines.md").write_text(API_PRACTICE)
    with (directory / "curricula.yaml").open("a") as file:
        file.write(API_CURRICULUM)


def test_records_with_only_the_fields_the_api_requires_are_valid(seed_copy: Path) -> None:
    _add_api_records(seed_copy)
    data = read_seed(seed_copy)
    lesson = next(x for x in data.lessons if x.id == "L-0990")
    assert (lesson.recorded_on, lesson.status, lesson.context, lesson.recommendation) == (
        None,
        None,
        "",
        "",
    )
    assert lesson.alliances == ("mmcap", "tips")
    practice = next(p for p in data.practices if p.slug == "cold-storage-for-vaccines")
    assert (practice.published_on, practice.focus_area, practice.summary) == (None, None, "")
    plan = next(c for c in read_curricula(seed_copy, data).curricula if c.key == "api-made-course")
    assert [m.key for m in plan.modules] == ["cold-chain", "to-be-written"]
    assert plan.modules[1].items == () and plan.source is None and not plan.illustrative


def test_an_undated_lesson_is_exported_without_a_placeholder_date(
    seed_copy: Path, tmp_path: Path
) -> None:
    _add_api_records(seed_copy)
    data = read_seed(seed_copy)
    write_seed(data, tmp_path / "out")
    text = (tmp_path / "out" / "lessons" / "undated.yaml").read_text()
    assert "recorded" not in text and "0001" not in text
    assert "alliance: [mmcap, tips]" in text
    again = read_seed(tmp_path / "out")
    assert next(x for x in again.lessons if x.id == "L-0990").alliances == ("mmcap", "tips")


def test_a_lesson_still_needs_its_lesson_and_state(seed_copy: Path) -> None:
    (seed_copy / "lessons" / "undated.yaml").write_text(
        "- id: L-0991\n  title: Nothing learned\n  illustrative: true\n"
    )
    with pytest.raises(SeedValidationError) as caught:
        read_seed(seed_copy)
    fields = sorted(str(e.field) for e in caught.value.errors)
    assert fields == ["lesson", "state"]


def test_history_rows_must_name_a_record_of_the_seed_and_a_time(
    seed_copy: Path, seed_data: SeedData
) -> None:
    (seed_copy / "history.csv").write_text(
        "label,id,created_at,created_by,updated_at,updated_by\n"
        "Lesson,L-0001,2026-01-02T03:04:05.123456789+00:00,token:ann,,\n"
        "Lesson,L-9999,2026-01-02T03:04:05Z,token:ann,,\n"
        "Practice,lead-state-model,last tuesday,token:ann,,\n"
    )
    known = seed_keys(seed_data, read_curricula(seed_copy, seed_data))
    with pytest.raises(SeedValidationError) as caught:
        read_history(seed_copy, known)
    messages = [str(e) for e in caught.value.errors]
    assert len(messages) == 2
    assert "history.csv:3" in messages[0] and "'L-9999' is not a Lesson" in messages[0]
    assert "history.csv:4" in messages[1] and "'last tuesday' is not a time" in messages[1]


def test_drift_counts_the_links_a_record_lost(seed_data: SeedData) -> None:
    rows = seed_rows(seed_data)["Contract"]
    damaged = [dict(row, links={**row["links"], "alliance": None}, hash="x") for row in rows[:2]]
    current = {row["id"]: row for row in [*damaged, *rows[2:]]}
    drift = SeedDrift()
    compare_rows(drift, "Contract", rows, current)
    assert drift.restored == {"Contract": 2}
    assert drift.links_added == {"AWARDED": 2}
    assert drift.force["Contract"] == {rows[0]["id"], rows[1]["id"]}
    assert drift.links_declared["AWARDED"] == len(rows)
