"""Reading the graph: lookups, lists, filters, ordering, paging, derived questions."""

from __future__ import annotations

import itertools

from api_support import Run

from kb.api.ids import encode_id


def test_state_by_code_has_global_id_and_fields(run: Run) -> None:
    result = run('{ state(code: "ut") { id key code name kind region } }')
    assert result.errors == []
    assert result.data == {
        "state": {"id": encode_id("State", "UT"), "key": "UT", "code": "UT", "name": "Utah",
                  "kind": "STATE", "region": "West"}
    }  # fmt: skip


def test_node_by_global_id_resolves_each_type(run: Run) -> None:
    ids = {
        "State": "UT", "Alliance": "naspo-valuepoint", "Contract": "nvp-cloud-solutions",
        "Category": "920", "Practice": "running-a-request-for-proposals", "Lesson": "L-0001",
    }  # fmt: skip
    for label, key in ids.items():
        result = run(
            "query($id: ID!) { node(id: $id) { __typename key } }", {"id": encode_id(label, key)}
        )
        assert result.data == {"node": {"__typename": label, "key": key}}, label


def test_missing_node_is_null(run: Run) -> None:
    result = run(
        '{ state(code: "XX") { name } node(id: "' + encode_id("Contract", "nope") + '") { key } }'
    )
    assert result.errors == []
    assert result.data == {"state": None, "node": None}


def test_root_list_pages_with_cursors_and_total(run: Run) -> None:
    query = """query($after: String) { states(first: 20, after: $after, orderBy: CODE_ASC) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { code } } }"""
    seen: list[str] = []
    after = None
    while True:
        result = run(query, {"after": after})
        page = result.data["states"]  # type: ignore[index]
        assert page["totalCount"] == 56
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        seen += [n["code"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 56
    assert seen == sorted(seen)


def test_default_page_is_twenty(run: Run) -> None:
    result = run("{ lessons { totalCount edges { cursor node { key } } } }")
    lessons = result.data["lessons"]  # type: ignore[index]
    assert len(lessons["edges"]) == 20
    assert lessons["totalCount"] > 20


def test_filters_and_order_on_root_contracts(run: Run) -> None:
    result = run("""{ contracts(where: {leadState: "UT", status: [ACTIVE]}, orderBy: TITLE_DESC) {
        totalCount nodes { title status leadState { code } } } }""")
    contracts = result.data["contracts"]  # type: ignore[index]
    titles = [c["title"] for c in contracts["nodes"]]
    assert contracts["totalCount"] == len(titles) > 0
    assert titles == sorted(titles, reverse=True)
    assert {c["leadState"]["code"] for c in contracts["nodes"]} == {"UT"}
    assert {c["status"] for c in contracts["nodes"]} == {"ACTIVE"}


def test_filter_by_category_includes_sub_categories(run: Run) -> None:
    group = run('{ contracts(where: {category: "IT"}) { totalCount } }').data
    one = run('{ contracts(where: {category: "920"}) { totalCount } }').data
    assert group["contracts"]["totalCount"] > one["contracts"]["totalCount"] > 0  # type: ignore[index]


def test_date_range_filter_is_inclusive(run: Run) -> None:
    every = run("{ contracts(first: 100) { nodes { slug startsOn } } }")
    dated = [n for n in every.data["contracts"]["nodes"] if n["startsOn"]]  # type: ignore[index]
    assert dated, "no contract of the seed has a start date"
    day = dated[0]["startsOn"]
    result = run(
        "query($day: Date!) { contracts(where: {starts: {from: $day, to: $day}}, first: 100) "
        "{ nodes { slug startsOn } } }",
        {"day": day},
    )
    nodes = result.data["contracts"]["nodes"]  # type: ignore[index]
    assert dated[0] in nodes
    assert {n["startsOn"] for n in nodes} == {day}
    assert {n["slug"] for n in nodes} == {n["slug"] for n in dated if n["startsOn"] == day}


def test_lessons_filtered_by_state_and_text(run: Run) -> None:
    result = run(
        '{ lessons(where: {state: "UT"}, first: 100) { totalCount nodes { state { code } } } }'
    )
    lessons = result.data["lessons"]  # type: ignore[index]
    assert lessons["totalCount"] > 0
    assert {n["state"]["code"] for n in lessons["nodes"]} == {"UT"}
    text = run('{ lessons(where: {text: "TELEMATICS"}) { nodes { key title } } }').data
    assert all("telematics" in n["title"].lower() for n in text["lessons"]["nodes"])  # type: ignore[index]
    assert "L-0001" in [n["key"] for n in text["lessons"]["nodes"]]  # type: ignore[index]


def test_alliance_members_as_of_a_day(run: Run) -> None:
    query = """query($asOf: Date) { alliance(slug: "wsca") { members(asOf: $asOf, first: 100) {
        totalCount edges { since until node { code } } } } }"""
    past = run(query, {"asOf": "2000-06-01"}).data["alliance"]["members"]  # type: ignore[index]
    now = run(query, {"asOf": None}).data["alliance"]["members"]  # type: ignore[index]
    assert past["totalCount"] > 0
    assert now["totalCount"] == 0  # WSCA became NASPO ValuePoint in 2013
    assert past["edges"][0]["until"] == "2013-01-01"


def test_eligible_contracts_are_awarded_to_an_alliance_of_the_state_and_not_joined(
    run: Run,
) -> None:
    result = run("""{ state(code: "UT") {
        eligibleContracts(first: 30) { nodes { slug status
            participants(first: 30) { nodes { code } }
            leadState { code } alliance { slug parent { slug } } } }
        alliances { nodes { slug } } } }""")
    state = result.data["state"]  # type: ignore[index]
    mine = {a["slug"] for a in state["alliances"]["nodes"]}
    contracts = state["eligibleContracts"]["nodes"]
    assert contracts
    for contract in contracts:
        assert "UT" not in {p["code"] for p in contract["participants"]["nodes"]}
        assert (contract["leadState"] or {}).get("code") != "UT"
        assert contract["status"] != "EXPIRED"
        alliance = contract["alliance"]
        assert alliance["slug"] in mine or (alliance["parent"] or {}).get("slug") in mine


def test_contract_participants_carry_since(run: Run) -> None:
    result = run(
        '{ contract(slug: "nvp-cloud-solutions") { participants(first: 5, orderBy: CODE_ASC) '
        "{ totalCount edges { since node { code } } } } }"
    )
    participants = result.data["contract"]["participants"]  # type: ignore[index]
    assert participants["totalCount"] == 20
    assert [e["node"]["code"] for e in participants["edges"]] == ["AK", "AR", "AZ", "CA", "CO"]


def test_path_between_a_lesson_and_an_alliance(run: Run) -> None:
    query = """query($a: ID!, $b: ID!) { path(from: $a, to: $b) {
        length nodes { key } hops { relationship forward text from { key } to { key } } } }"""
    result = run(
        query, {"a": encode_id("State", "UT"), "b": encode_id("Contract", "nvp-cloud-solutions")}
    )
    path = result.data["path"]  # type: ignore[index]
    assert path["length"] == 1
    assert path["hops"] == [
        {"relationship": "LEADS", "forward": True, "text": "UT -LEADS-> nvp-cloud-solutions",
         "from": {"key": "UT"}, "to": {"key": "nvp-cloud-solutions"}}
    ]  # fmt: skip
    back = run(
        query, {"a": encode_id("Contract", "nvp-cloud-solutions"), "b": encode_id("State", "UT")}
    )
    assert back.data["path"]["hops"][0]["forward"] is False  # type: ignore[index]
    longer = run(
        query, {"a": encode_id("Lesson", "L-0001"), "b": encode_id("Alliance", "sourcewell")}
    )
    hops = longer.data["path"]["hops"]  # type: ignore[index]
    assert hops[0]["from"]["key"] == "L-0001" and hops[-1]["to"]["key"] == "sourcewell"
    assert all(a["to"] == b["from"] for a, b in itertools.pairwise(hops))


def test_stats_counts_nodes(run: Run) -> None:
    result = run("{ stats { nodes { label count } relationships { label count } } }")
    nodes = {n["label"]: n["count"] for n in result.data["stats"]["nodes"]}  # type: ignore[index]
    assert nodes["State"] == 56
    assert {r["label"] for r in result.data["stats"]["relationships"]} >= {"MEMBER_OF", "AWARDED"}  # type: ignore[index]
