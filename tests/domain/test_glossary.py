"""The glossary file: what the shipped one holds, and bad files refused with file and line."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kb.domain.glossary import (
    GLOSSARY_FILE,
    GlossaryError,
    GlossaryKind,
    default_glossary,
    load_glossary,
    normalise,
)

GOOD = """\
terms:
  - term: MA
    expansion: master agreement
    kind: contracting
    also_known_as: [master agreements]
    name_also_means: [massachusetts]
    definition: The contract a lead state awards for a cooperative.
    source: https://www.naspovaluepoint.org/faq/
  - term: MPA
    expansion: master price agreement
    kind: contracting
    searched_with: MA
    definition: A master agreement with fixed prices.
    source: https://www.nppgov.com/procurement-solutions/understanding-cooperative-purchasing/
  - term: RFP
    expansion: request for proposals
    kind: solicitation
    definition: A solicitation for proposals scored on price and other factors.
    source: https://www.nigp.org/dictionary-of-terms?letter=r&page=6
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "glossary.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _refused(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    return str(caught.value)


# -- the shipped glossary -------------------------------------------------------------


def test_shipped_glossary_has_at_least_150_terms_each_defined_and_sourced() -> None:
    glossary = load_glossary(GLOSSARY_FILE)
    assert len(glossary) >= 150
    for term in glossary:
        assert term.expansion and term.definition, term.name
        assert "\n" not in term.definition
        parts = urlsplit(term.source)
        assert parts.scheme in {"http", "https"} and "." in parts.netloc, term.name
    # The acronyms the issue names are all there, found by any spelling people use.
    for name in ("MPA", "ma", "IDIQ", "gpo", "NIGP", "UNSPSC", "coop", "JOC", "BAFO", "SOW",
                 "SLA", "p-card", "sole source", "piggyback", "RFP", "IFB", "RFQ", "PA",
                 "lead state"):  # fmt: skip
        assert glossary.find(name) is not None, name


def test_shipped_glossary_is_alphabetical_and_covers_every_kind() -> None:
    glossary = default_glossary()
    keys = [normalise(t.name) for t in glossary]
    assert keys == sorted(keys)
    assert {t.kind for t in glossary} == set(GlossaryKind)


def test_find_matches_the_name_or_any_phrase_case_aside(tmp_path: Path) -> None:
    glossary = load_glossary(_write(tmp_path, GOOD))
    assert glossary.find("ma") is glossary.find("MA")
    assert glossary.find("  Master   Agreements ") is glossary.find("MA")
    mpa = glossary.find("master price agreement")
    assert mpa is not None and mpa.name == "MPA"
    assert glossary.find("massachusetts") is None  # a one-way reading, not a phrase
    assert glossary.find("") is None


def test_searched_with_puts_terms_in_one_group(tmp_path: Path) -> None:
    glossary = load_glossary(_write(tmp_path, GOOD))
    ma, mpa = glossary.find("MA"), glossary.find("MPA")
    assert ma is not None and mpa is not None
    assert [t.name for t in glossary.group_members(mpa)] == ["MA", "MPA"]
    groups = {root.name: phrases for root, phrases in glossary.search_groups()}
    assert groups == {
        "MA": ("MA", "master agreement", "master agreements", "MPA", "master price agreement"),
        "RFP": ("RFP", "request for proposals"),
    }


# -- bad files: refused, naming file and line -------------------------------------------


def test_duplicate_term_is_refused_with_both_lines(tmp_path: Path) -> None:
    duplicate = (
        "  - term: ma\n    expansion: Massachusetts\n    kind: organization\n"
        "    definition: The state.\n    source: https://www.mass.gov/\n"
    )
    message = _refused(tmp_path, GOOD + duplicate)
    assert GOOD.count("\n") == 19  # so the duplicate starts on line 20
    assert message == (
        f"{tmp_path / 'glossary.yaml'}:20: term 'ma' is a duplicate of 'MA' (line 2)"
    )


def test_empty_term_is_refused(tmp_path: Path) -> None:
    message = _refused(tmp_path, GOOD.replace("term: RFP", "term: '  '"))
    assert f"{tmp_path / 'glossary.yaml'}:15: entry 3: 'term' is empty; expected text" in message


def test_missing_term_is_refused(tmp_path: Path) -> None:
    message = _refused(tmp_path, GOOD.replace("  - term: RFP\n    expansion", "  - expansion"))
    assert f"{tmp_path / 'glossary.yaml'}:15: entry 3: 'term' is missing" in message


def test_missing_definition_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("    definition: A master agreement with fixed prices.\n", "")
    message = _refused(tmp_path, text)
    assert f"{tmp_path / 'glossary.yaml'}:9: term 'MPA': 'definition' is missing" in message


def test_missing_source_is_refused(tmp_path: Path) -> None:
    line = "    source: https://www.nigp.org/dictionary-of-terms?letter=r&page=6\n"
    text = GOOD.replace(line, "")
    message = _refused(tmp_path, text)
    assert f"{tmp_path / 'glossary.yaml'}:15: term 'RFP': 'source' is missing" in message


@pytest.mark.parametrize(
    "source", ["www.nigp.org/dictionary", "ftp://nigp.org/x", "https://", "https://nigp", "seed"]
)
def test_malformed_source_is_refused(tmp_path: Path, source: str) -> None:
    text = GOOD.replace("source: https://www.naspovaluepoint.org/faq/", f"source: {source}")
    message = _refused(tmp_path, text)
    assert f"{tmp_path / 'glossary.yaml'}:8: term 'MA': source '{source}' is not a web address" in (
        message
    )


def test_phrase_of_two_terms_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("expansion: request for proposals", "expansion: master agreements")
    message = _refused(tmp_path, text)
    assert (
        f"{tmp_path / 'glossary.yaml'}:15: term 'RFP': phrase 'master agreements' already "
        "belongs to 'MA' (line 2)"
    ) in message


def test_unknown_field_kind_and_group_are_refused(tmp_path: Path) -> None:
    text = (
        GOOD.replace("    kind: solicitation\n", "    kind: method\n    colour: red\n")
        .replace("searched_with: MA", "searched_with: MSA")
    )  # fmt: skip
    message = _refused(tmp_path, text)
    path = tmp_path / "glossary.yaml"
    assert f"{path}:18: entry 3: unknown field 'colour'" in message
    assert f"{path}:17: term 'RFP': kind 'method' is not one of solicitation," in message
    assert f"{path}:9: term 'MPA': searched_with 'MSA' is not a term of this glossary" in message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    message = _refused(tmp_path, GOOD.replace("[master agreements]", "[master agreements"))
    assert message.startswith(f"{tmp_path / 'glossary.yaml'}:6: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ":1: the file is empty; expected 'terms:'"),
        ("terms: 3\n", ":1: 'terms' must be a list of entries, not '3'"),
        ("- term: x\n", ":1: expected a mapping with 'terms:', not a list"),
        ("terms:\n  - just a word\n", ":2: entry 1: expected a mapping with term:"),
        ("terms: []\n", ":1: the glossary has no terms"),
    ],
)
def test_wrong_shapes_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    assert f"{tmp_path / 'glossary.yaml'}{expected}" in _refused(tmp_path, text)


def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError, match=r"glossary\.yaml: cannot be read"):
        load_glossary(tmp_path / "glossary.yaml")
