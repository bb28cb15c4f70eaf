"""Reading the curriculum seed: every error names file, line, record and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.config import PROJECT_ROOT
from kb.seed import SeedData, SeedValidationError
from kb.seed.curriculum_files import read_curricula

SEED = PROJECT_ROOT / "seed"


def errors_after(tmp_path: Path, seed_data: SeedData, file: str, old: str, new: str) -> list[str]:
    folder = tmp_path / "seed"
    folder.mkdir()
    for name in ("certifications.yaml", "teaches.csv", "curricula.yaml"):
        shutil.copy(SEED / name, folder / name)
    text = (folder / file).read_text()
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1))
    with pytest.raises(SeedValidationError) as caught:
        read_curricula(folder, seed_data)
    return [str(e) for e in caught.value.errors]


def test_repository_seed_is_valid(seed_data: SeedData) -> None:
    seed = read_curricula(SEED, seed_data)
    assert [c.code for c in seed.certifications] == ["UPPCC-BOK", "CPPB", "CPPO", "NIGP-GBP"]
    assert all(c.source for c in seed.certifications)
    assert all(c.illustrative for c in seed.curricula)
    taught = {t.practice for t in seed.teachings if t.domain.startswith("uppcc-")}
    assert taught == {p.slug for p in seed_data.practices}


def test_absent_files_mean_nothing_to_load(tmp_path: Path, seed_data: SeedData) -> None:
    seed = read_curricula(tmp_path, seed_data)
    assert (seed.certifications, seed.teachings, seed.curricula) == ([], [], [])


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "curricula.yaml",
            "lesson: L-0005",
            "lesson: L-9999",
            "curricula.yaml:24: record 'new-buyer-onboarding' module 1 item 2, field 'lesson': "
            "'L-9999' is not a known lesson id",
        ),
        (
            "curricula.yaml",
            "lesson: L-0016",
            "lesson: L-0005",
            "record 'new-buyer-onboarding' module 1 item 4, field 'lesson': lesson 'L-0005' is "
            "already in this curriculum (module 'know-the-rules', item 2)",
        ),
        (
            "curricula.yaml",
            "title: New buyer onboarding",
            "title: '  '",
            "record 'new-buyer-onboarding', field 'title': is empty",
        ),
        (
            "curricula.yaml",
            "level: INTRODUCTORY",
            "level: BEGINNER",
            "field 'level': 'BEGINNER' is not accepted; expected one of ADVANCED, INTERMEDIATE, "
            "INTRODUCTORY",
        ),
        (
            "curricula.yaml",
            "certifications: [CPPB]",
            "certifications: [CPPX]",
            "field 'certifications': 'CPPX' is not a known certification code",
        ),
        (
            "curricula.yaml",
            "key: plan-the-purchase",
            "key: know-the-rules",
            "module 2, field 'key': 'know-the-rules' is already the key of module 1",
        ),
        (
            "curricula.yaml",
            "- practice: procurement-policy-manual",
            "- {practice: procurement-policy-manual, lesson: L-0001}",
            "module 1 item 1: an item names exactly one of 'practice'",
        ),
        (
            "teaches.csv",
            "disputes-and-debarment,uppcc-legal-framework",
            "disputes-and-debarment,uppcc-ethics",
            "teaches.csv:10: record on line 10, field 'domain': 'uppcc-ethics' is not a known "
            "domain key",
        ),
        (
            "certifications.yaml",
            "framework: UPPCC-BOK",
            "framework: NOPE",
            "record 'CPPB', field 'framework': 'NOPE' is not a known framework code",
        ),
    ],
)
def test_bad_records_are_named(
    tmp_path: Path, seed_data: SeedData, file: str, old: str, new: str, expected: str
) -> None:
    errors = errors_after(tmp_path, seed_data, file, old, new)
    assert any(expected in error for error in errors), errors
