"""`kb seed` validates every file first: each bad input is named, and nothing is written."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.graph.db import Graph
from kb.graph.stats import graph_stats
from kb.seed import SeedValidationError, read_seed

SEED = Path(__file__).resolve().parents[2] / "seed"


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seed"
    shutil.copytree(SEED, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text().rstrip("\n") + "\n" + text)


CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "unknown state code": (
        lambda d: _replace(d / "contracts.yaml", "lead_state: IA", "lead_state: XX"),
        [
            "contracts.yaml:",
            "record 'nvp-tires'",
            "field 'lead_state'",
            "'XX' is not a known state code; expected one of AK, AL, AR",
        ],
    ),
    "dangling reference": (
        lambda d: _replace(d / "contracts.yaml", "alliance: mmcap\n", "alliance: mmcapp\n"),
        [
            "record 'mmcap-pharmaceuticals'",
            "field 'alliance'",
            "'mmcapp' is not a known alliance slug; expected one of 12aspo",
        ],
    ),
    "duplicate key": (
        lambda d: _append(d / "memberships.csv", "naspo,UT,,,https://www.naspo.org/about,\n"),
        [
            "memberships.csv:",
            "record 'naspo'/'UT'",
            "field 'state'",
            "is a duplicate key; it is already used at",
        ],
    ),
    "missing field": (
        lambda d: _replace(d / "alliances.yaml", "  name: The Interlocal Purchasing System\n", ""),
        [
            "alliances.yaml:",
            "record 'tips'",
            "field 'name'",
            "is missing; a non-empty text is required",
        ],
    ),
    "bad date": (
        lambda d: _replace(d / "contracts.yaml", "starts_on: 2019-10-01", "starts_on: 2019-13-45"),
        [
            "record 'nvp-data-communications'",
            "field 'starts_on'",
            "'2019-13-45' is not a date; expected YYYY-MM-DD",
        ],
    ),
    "bad enum": (
        lambda d: _replace(d / "states.csv", "UT,Utah,49,STATE", "UT,Utah,49,PROVINCE"),
        [
            "states.csv:",
            "record 'UT'",
            "field 'kind'",
            "'PROVINCE' is not accepted; expected one of DISTRICT, STATE, TERRITORY",
        ],
    ),
    "malformed YAML": (
        lambda d: _replace(d / "alliances.yaml", "- slug: tips\n", "- slug: [tips\n"),
        ["alliances.yaml:", "is not valid YAML"],
    ),
    "malformed CSV": (
        lambda d: _append(d / "categories.csv", "999,Too,many,cells,here,x,y,z\n"),
        ["categories.csv:", "has 8 cells; the header has 7"],
    ),
    "unknown field": (
        lambda d: _replace(
            d / "alliances.yaml", "  acronym: TIPS\n", "  acronym: TIPS\n  acronim: T\n"
        ),
        ["record 'tips'", "field 'acronim'", "is not a known field; accepted fields:"],
    ),
    "prerequisite cycle": (
        lambda d: _replace(
            d / "practices" / "needs-assessment-and-requirements-definition.md",
            "prerequisites: []",
            "prerequisites: [running-a-request-for-proposals]",
        ),
        ["prerequisites form a cycle", "needs-assessment-and-requirements-definition"],
    ),
    "front matter without closing line": (
        lambda d: _replace(d / "practices" / "contract-closeout.md", "\n---\n", "\n"),
        ["practices/contract-closeout.md", "front matter has no closing '---' line"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_seed_is_rejected_naming_the_record(seed_copy: Path, case: str) -> None:
    mutate, expected = CASES[case]
    mutate(seed_copy)
    with pytest.raises(SeedValidationError) as caught:
        read_seed(seed_copy)
    message = str(caught.value)
    for part in expected:
        assert part in message, f"{part!r} missing from:\n{message}"


def test_kb_seed_exits_2_and_writes_nothing(
    seed_copy: Path, seeded_graph: Graph, test_env: dict[str, str]
) -> None:
    before = graph_stats(seeded_graph)
    # A valid change and an invalid one in the same run: neither may be written.
    _replace(seed_copy / "alliances.yaml", "name: Sourcewell\n", "name: Sourcewell (renamed)\n")
    _replace(seed_copy / "contracts.yaml", "lead_state: IA", "lead_state: XX")

    result = CliRunner().invoke(main, ["seed", "--dir", str(seed_copy)], env=test_env)

    assert result.exit_code == 2, result.output
    assert "'XX' is not a known state code" in result.output
    assert graph_stats(seeded_graph) == before
    names = seeded_graph.read("MATCH (a:Alliance {slug: 'sourcewell'}) RETURN a.name AS name")
    assert names == [{"name": "Sourcewell"}]


def test_every_error_is_reported_in_one_run(seed_copy: Path) -> None:
    _replace(seed_copy / "contracts.yaml", "lead_state: IA", "lead_state: XX")
    _replace(seed_copy / "alliances.yaml", "  name: The Interlocal Purchasing System\n", "")
    with pytest.raises(SeedValidationError) as caught:
        read_seed(seed_copy)
    assert len(caught.value.errors) == 2
