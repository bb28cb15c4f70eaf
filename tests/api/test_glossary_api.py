"""GraphQL `glossary` and `term(name:)`, the terms' practices and lessons, search by
acronym through the API, and a bad glossary refused when the app starts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from api_support import Run
from starlette.testclient import TestClient

from kb.app import create_app
from kb.config import Settings
from kb.domain.glossary import GlossaryError, default_glossary
from kb.graph.db import Graph

TERMS = """query($first: Int, $after: String, $where: GlossaryWhere) {
  glossary(first: $first, after: $after, where: $where) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { name expansion kind alsoKnownAs definition source searchedWith } } }"""
TERM = """query($name: String!) { term(name: $name) {
  name expansion kind alsoKnownAs definition source searchedWith } }"""
USES = """query($name: String!, $first: Int!) { term(name: $name) {
  name practices(first: $first) { slug title } lessons(first: $first) { id title } } }"""


def test_glossary_lists_every_term_alphabetically_in_pages(run: Run) -> None:
    first = run(TERMS, {"first": 100})
    assert first.errors == []
    page = first.data["glossary"] if first.data else {}
    assert page["totalCount"] == len(default_glossary()) >= 150
    assert page["pageInfo"]["hasNextPage"] is True
    names = [t["name"] for t in page["nodes"]]
    for _ in range(page["totalCount"] // 100 + 1):  # the pages after the first, bounded
        if not page["pageInfo"]["hasNextPage"]:
            break
        rest = run(TERMS, {"first": 100, "after": page["pageInfo"]["endCursor"]})
        page = (rest.data or {})["glossary"]
        names += [t["name"] for t in page["nodes"]]
    assert not page["pageInfo"]["hasNextPage"]
    total = (first.data or {})["glossary"]["totalCount"]
    assert len(names) == total and len(set(names)) == len(names)
    assert names == sorted(names, key=str.casefold)


def test_glossary_filters_by_letter_kind_and_text(run: Run) -> None:
    by_letter = run(TERMS, {"where": {"startsWith": "m"}, "first": 100}).data or {}
    letters = {t["name"][0].upper() for t in by_letter["glossary"]["nodes"]}
    assert letters == {"M"} and "MPA" in {t["name"] for t in by_letter["glossary"]["nodes"]}
    goods = run(TERMS, {"where": {"kind": "GOODS"}, "first": 100}).data or {}
    assert {t["kind"] for t in goods["glossary"]["nodes"]} == {"GOODS"}
    assert "AED" in {t["name"] for t in goods["glossary"]["nodes"]}
    both = run(TERMS, {"where": {"kind": "CONTRACTING", "text": "price"}, "first": 100})
    found = {t["name"] for t in (both.data or {})["glossary"]["nodes"]}
    assert {"MPA", "price agreement", "escalation clause"} <= found
    assert all(t["kind"] == "CONTRACTING" for t in (both.data or {})["glossary"]["nodes"])


def test_term_matches_the_name_or_any_phrase_case_aside(run: Run) -> None:
    for name in ("mpa", "MPA", "Master Price Agreement", "master price agreements"):
        result = run(TERM, {"name": name})
        assert result.errors == []
        term = (result.data or {})["term"]
        assert term["name"] == "MPA" and term["expansion"] == "master price agreement"
    term = (run(TERM, {"name": "ma"}).data or {})["term"]
    assert term["name"] == "MA" and term["searchedWith"] == ["MPA", "MSA"]
    assert term["source"].startswith("https://") and term["definition"]
    assert (run(TERM, {"name": "no such term"}).data or {})["term"] is None


@pytest.mark.parametrize(
    ("query", "variables", "argument"),
    [
        (TERM, {"name": "  "}, "name"),
        (TERMS, {"where": {"startsWith": ""}}, "where.startsWith"),
        (TERMS, {"where": {"text": "x" * 101}}, "where.text"),
        (TERMS, {"first": 101}, "first"),
        (TERMS, {"after": "not-a-cursor"}, "after"),
    ],
)
def test_bad_glossary_arguments_are_bad_user_input(
    run: Run, query: str, variables: dict[str, Any], argument: str
) -> None:
    result = run(query, variables)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == argument


def _post(client: TestClient, query: str, variables: dict[str, Any]) -> Any:
    """POST a GraphQL request; the body, which must come with 200."""
    reply = client.post("/graphql", json={"query": query, "variables": variables})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_terms_list_the_practices_and_lessons_that_use_them_and_search_finds_acronyms(
    settings: Settings, seeded_graph: Graph, tmp_path: Path
) -> None:
    app = create_app(dataclasses.replace(settings, index_dir=tmp_path / "index"), seeded_graph)
    with TestClient(app) as client:
        body = _post(client, USES, {"name": "mpa", "first": 5})
        assert "errors" not in body, body
        term = body["data"]["term"]
        slugs = [p["slug"] for p in term["practices"]]
        assert "master-agreements-and-order-of-precedence" in slugs
        assert 0 < len(term["lessons"]) <= 5
        # "MA" lists the master agreement records, not those about Massachusetts.
        ma = _post(client, USES, {"name": "MA", "first": 5})["data"]["term"]
        # (The same records; ties in the last place may order differently.)
        ma_slugs = [p["slug"] for p in ma["practices"]]
        assert "master-agreements-and-order-of-precedence" in ma_slugs
        assert len(set(ma_slugs) & set(slugs)) >= len(slugs) - 1, (ma_slugs, slugs)

        too_many = _post(client, USES, {"name": "mpa", "first": 21})
        assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

        search = "query($q: String!) { search(query: $q, first: 3) { totalCount hits { key } } }"
        for acronym in ("MPA", "MA", "IDIQ", "GPO"):
            found = _post(client, search, {"q": acronym})["data"]["search"]
            assert found["totalCount"] > 0, acronym


def test_the_app_refuses_a_bad_glossary_at_start(
    settings: Settings, packaged_glossary_is: Callable[[str], Path]
) -> None:
    bad = packaged_glossary_is(
        "terms:\n  - term: RFP\n    expansion: request for proposals\n    kind: solicitation\n"
        "    definition: A solicitation.\n    source: nigp dictionary\n"
    )
    with pytest.raises(GlossaryError) as caught:
        create_app(settings)
    assert str(caught.value) == (
        f"{bad}:6: term 'RFP': source 'nigp dictionary' is not a web address; "
        "expected http(s)://host/path"
    )
