"""Vendors at the root of the API: ``vendor(slug:)``, ``vendors(first:, after:, where:)``
and each vendor's master agreements, checked against the seed files they come from."""

from __future__ import annotations

from typing import Any

from api_support import Run

from kb.seed import SeedData

VENDOR = """query($slug: String!) { vendor(slug: $slug) { slug name website illustrative
  contracts { number startsOn endsOn contract { slug title alliance { slug } } } } }"""

VENDORS = """query($first: Int, $after: String, $where: VendorWhere) {
  vendors(first: $first, after: $after, where: $where) { totalCount
    pageInfo { hasNextPage endCursor } nodes { slug name } } }"""


def _vendors(run: Run, **variables: Any) -> dict[str, Any]:
    result = run(VENDORS, variables)
    assert not result.errors, result.errors
    return result.data["vendors"]  # type: ignore[index,no-any-return]


def test_a_vendor_has_the_awards_of_its_seed_entry(run: Run, seed_data: SeedData) -> None:
    seeded = max(seed_data.vendors, key=lambda v: len(v.awards))
    result = run(VENDOR, {"slug": seeded.slug})
    assert not result.errors, result.errors
    vendor = result.data["vendor"]  # type: ignore[index]
    assert (vendor["slug"], vendor["name"], vendor["website"]) == (
        seeded.slug, seeded.name, seeded.website,
    )  # fmt: skip
    got = {(a["contract"]["slug"], a["number"]) for a in vendor["contracts"]}
    assert got == {(a.contract, a.number) for a in seeded.awards}
    titles = [a["contract"]["title"] for a in vendor["contracts"]]
    assert titles == sorted(titles)


def test_an_unknown_vendor_is_null(run: Run) -> None:
    result = run(VENDOR, {"slug": "no-such-vendor"})
    assert not result.errors and result.data == {"vendor": None}


def test_the_list_pages_through_every_vendor_by_name(run: Run, seed_data: SeedData) -> None:
    seen: list[str] = []
    after = None
    for _ in range(50):  # bounded: 7 per page
        page = _vendors(run, first=7, after=after)
        assert page["totalCount"] == len(seed_data.vendors)
        seen += [v["name"] for v in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen, key=str.lower) == seen
    assert sorted(seen) == sorted(v.name for v in seed_data.vendors)


def test_filters_agree_with_the_seed(run: Run, seed_data: SeedData) -> None:
    contract = seed_data.vendors[0].awards[0].contract
    expected = {v.slug for v in seed_data.vendors if any(a.contract == contract for a in v.awards)}
    page = _vendors(run, first=100, where={"contract": contract})
    assert {v["slug"] for v in page["nodes"]} == expected and page["totalCount"] == len(expected)

    alliance = {c.slug: c.alliance for c in seed_data.contracts}[contract]
    in_alliance = {c.slug for c in seed_data.contracts if c.alliance == alliance}
    expected = {
        v.slug for v in seed_data.vendors if any(a.contract in in_alliance for a in v.awards)
    }
    page = _vendors(run, first=100, where={"alliance": alliance})
    assert {v["slug"] for v in page["nodes"]} == expected

    word = seed_data.vendors[0].name.split()[0].upper()
    page = _vendors(run, first=100, where={"name": word})
    assert seed_data.vendors[0].slug in {v["slug"] for v in page["nodes"]}
    assert all(word.lower() in v["name"].lower() for v in page["nodes"])


def test_bad_arguments_name_the_argument(run: Run) -> None:
    for variables, field in (
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"after": "not-a-cursor"}, "after"),
        ({"where": {"name": "   "}}, "where.name"),
        ({"where": {"contract": "x" * 500}}, "where.contract"),
    ):
        result = run(VENDORS, variables)
        assert result.errors, variables
        error = result.errors[0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert field in error["message"], (field, error["message"])


def test_vendor_contracts_are_one_statement_for_a_whole_page(run: Run, read_graph: Any) -> None:
    before = read_graph.query_count
    result = run("{ vendors(first: 50) { nodes { contracts { number contract { slug } } } } }")
    assert not result.errors, result.errors
    assert read_graph.query_count - before <= 3  # the page, the awards, the contracts' loader
