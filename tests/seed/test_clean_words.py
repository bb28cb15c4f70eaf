"""Clean words: no user-facing text (seed records, practices, lessons, page templates)
speaks about how the knowledge base was made, and counts stated in a record's text agree
with the graph the seed makes (or the text says its list is partial)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.config import PROJECT_ROOT
from kb.domain.records import SeedData

#: Words about the making of the knowledge base, not about procurement (lower case).
INTERNAL = (
    "founding brief",
    "design document",
    "design.md",
    "domain.md",
    "conventions.md",
    "the brief says",
    "as briefed",
    "lorem ipsum",
    "todo:",
    "fixme",
    "placeholder date",
    "made-up",
    "invented for",
)

USER_FACING = (
    sorted((PROJECT_ROOT / "seed").glob("*.yaml"))
    + sorted((PROJECT_ROOT / "seed").glob("*.csv"))
    + sorted((PROJECT_ROOT / "seed" / "practices").glob("*.md"))
    + sorted((PROJECT_ROOT / "seed" / "lessons").glob("*.yaml"))
    + sorted((PROJECT_ROOT / "kb" / "web" / "templates").glob("*.html"))
    + sorted((PROJECT_ROOT / "kb" / "domain").glob("*.yaml"))
)


def _hits(path: Path) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("#") and path.suffix in (".yaml", ".csv"):
            continue  # a comment for whoever edits the file, not shown to users
        lower = line.lower()
        found += [f"{path.name}:{number}: {p!r}" for p in INTERNAL if p in lower]
    return found


def test_the_scan_covers_the_user_facing_files() -> None:
    names = {p.name for p in USER_FACING}
    assert {"contracts.yaml", "alliances.yaml", "contract.html", "glossary.yaml"} <= names
    assert len(USER_FACING) > 60


@pytest.mark.parametrize("path", USER_FACING, ids=lambda p: p.name)
def test_no_user_facing_text_speaks_of_how_the_knowledge_base_was_made(path: Path) -> None:
    assert _hits(path) == []


def test_the_scan_finds_such_words(tmp_path: Path) -> None:
    sample = tmp_path / "x.md"
    sample.write_text("A fine practice.\nAs the founding brief says, buy well.\n")
    assert _hits(sample) == ["x.md:2: 'founding brief'"]


#: "N states joined/signed/participate": a count of participants stated in text.
STATED = re.compile(r"\b(\d+) (?:states|participants)\b[^.]{0,30}\b(?:join|sign|participat)", re.I)
#: Words that say the list of participants in the graph is partial.
PARTIAL = re.compile(r"\b(?:examples?|partial|some of|among them|listed here are)\b", re.I)


def test_participant_counts_in_contract_text_agree_with_the_seed(seed_data: SeedData) -> None:
    wrong = []
    for contract in seed_data.contracts:
        for match in STATED.finditer(contract.description):
            stated, listed = int(match.group(1)), len(contract.participants)
            if stated != listed and not PARTIAL.search(contract.description):
                wrong.append(f"{contract.slug}: text says {stated}, the seed lists {listed}")
    assert wrong == []
