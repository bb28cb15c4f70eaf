"""The README's table of where the seed's facts come from agrees with the seed, as
``kb check-seed`` counts it; the counts themselves are checked on a small seed."""

from __future__ import annotations

import re
from dataclasses import replace

from kb.config import PROJECT_ROOT
from kb.domain.records import Provenance, SeedData
from kb.seed.coverage import provenance_counts

BEGIN, END = "<!-- provenance: begin -->", "<!-- provenance: end -->"


def _readme_rows() -> dict[str, tuple[int, int, int]]:
    text = (PROJECT_ROOT / "README.md").read_text()
    table = text.split(BEGIN, 1)[1].split(END, 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and all(re.fullmatch(r"\d+", c) for c in cells[1:]):
            rows[cells[0]] = (int(cells[1]), int(cells[2]), int(cells[3]))
    return rows


def test_the_readme_states_the_seed_figures(seed_data: SeedData) -> None:
    counted = {c.kind: (c.total, c.sourced, c.illustrative) for c in provenance_counts(seed_data)}
    assert _readme_rows() == counted, "update the README table from `kb check-seed`"


def test_a_source_that_is_no_address_or_an_illustrative_flag_is_not_sourced(
    seed_data: SeedData,
) -> None:
    base = seed_data.contracts[0]
    contracts = [
        replace(base, slug="a", provenance=Provenance("https://example.org/a", False)),
        replace(base, slug="b", provenance=Provenance("the founding brief", False)),
        replace(base, slug="c", provenance=Provenance("https://example.org/c", True)),
        replace(base, slug="d", provenance=Provenance(None, True)),
    ]
    counts = {c.kind: c for c in provenance_counts(SeedData(contracts=contracts))}
    assert (counts["contracts"].sourced, counts["contracts"].illustrative) == (1, 2)
    assert counts["contracts, fully sourced"].sourced == 0  # no vendor award at all
