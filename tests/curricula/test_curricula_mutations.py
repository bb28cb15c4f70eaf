"""Curriculum mutations: one input, checked whole, one transaction, nothing changed on error."""

from __future__ import annotations

from typing import Any

import pytest
from curricula_support import READER, Result, curriculum_state

from kb.api.context import Viewer
from kb.api.ids import encode_id
from kb.graph.db import Graph

SHAPE = """curriculum { key title audience level description
  certifications { code }
  modules { key title objectives items { key } }
  warnings { kind message item prerequisite }
  suggestedOrder { key } }"""


def mutation(name: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {SHAPE} }} }}"


CREATE = mutation("createCurriculum", "CreateCurriculumInput")
UPDATE = mutation("updateCurriculum", "UpdateCurriculumInput")
ADD_MODULE = mutation("addModule", "AddModuleInput")
UPDATE_MODULE = mutation("updateModule", "UpdateModuleInput")
MOVE_MODULE = mutation("moveModule", "MoveModuleInput")
REMOVE_MODULE = mutation("removeModule", "RemoveModuleInput")
ADD_ITEM = mutation("addItem", "AddItemInput")
MOVE_ITEM = mutation("moveItem", "MoveItemInput")
REMOVE_ITEM = mutation("removeItem", "RemoveItemInput")
DELETE = (
    "mutation($input: DeleteCurriculumInput!) { deleteCurriculum(input: $input) { deletedId } }"
)
PREREQUISITE = """mutation($input: AddPrerequisiteInput!) { addPrerequisite(input: $input) {
  created practice { slug prerequisites { nodes { slug } } } prerequisite { slug } } }"""

NBO = "new-buyer-onboarding"


def practice(slug: str) -> str:
    return encode_id("Practice", slug)


def lesson(key: str) -> str:
    return encode_id("Lesson", key)


def keys(result: Result, name: str) -> list[list[str]]:
    modules = result.data[name]["curriculum"]["modules"]  # type: ignore[index]
    return [[i["key"] for i in m["items"]] for m in modules]


def new_curriculum(**changes: Any) -> dict[str, Any]:
    base = {
        "key": "road-salt-buying",
        "title": "  Buying road salt  ",
        "audience": "County buyers",
        "level": "INTERMEDIATE",
        "description": "Joint bids and regional contracts.",
        "certifications": ["CPPB"],
        "modules": [
            {
                "title": "Regional contracts",
                "objectives": ["Know when a regional contract fits."],
                "items": [practice("regional-contracts-for-regional-needs"), lesson("L-0041")],
            },
            {
                "title": "Joint bids",
                "key": "joint",
                "items": [practice("joint-bids-for-cold-weather-commodities")],
            },
        ],
    }
    return {**base, **changes}


def test_create_curriculum_writes_modules_items_and_a_change_entry(
    gql: Any, curricula_graph: Graph
) -> None:
    result = gql(CREATE, {"input": new_curriculum()})
    assert result.errors == []
    c = result.data["createCurriculum"]["curriculum"]
    assert c["title"] == "Buying road salt"  # trimmed
    assert [m["key"] for m in c["modules"]] == ["regional-contracts", "joint"]
    assert keys(result, "createCurriculum") == [
        ["regional-contracts-for-regional-needs", "L-0041"],
        ["joint-bids-for-cold-weather-commodities"],
    ]
    assert c["certifications"] == [{"code": "CPPB"}]
    change = curricula_graph.read(
        "MATCH (c:Change {label: 'Curriculum', id: 'road-salt-buying'}) RETURN c.op AS op, "
        "c.author AS author"
    )
    assert change == [{"op": "UPSERT", "author": "token:test-editor"}]
    again = gql(CREATE, {"input": new_curriculum()})
    assert again.codes == ["BAD_USER_INPUT"] and again.fields == ["input.key"]
    assert "already exists" in again.errors[0]["message"]


@pytest.mark.parametrize(
    ("changes", "code", "field", "words"),
    [
        ({"title": "   "}, "BAD_USER_INPUT", "input.title", "is empty"),
        ({"key": "Road Salt"}, "BAD_USER_INPUT", "input.key", "'Road Salt' is not a slug"),
        (
            {
                "modules": [
                    {
                        "title": "One",
                        "items": [practice("lead-state-model"), practice("lead-state-model")],
                    }
                ]
            },
            "BAD_USER_INPUT",
            "input.modules[0].items[1]",
            "listed twice",
        ),
        (
            {"modules": [{"title": "One", "items": [practice("no-such-practice")]}]},
            "NOT_FOUND",
            "input.modules[0].items[0]",
            "there is no Practice 'no-such-practice'",
        ),
        (
            {"modules": [{"title": "One", "items": [encode_id("State", "UT")]}]},
            "BAD_USER_INPUT",
            "input.modules[0].items[0]",
            "expected a Practice or a Lesson",
        ),
        ({"certifications": ["CPPX"]}, "NOT_FOUND", "input.certifications", "'CPPX'"),
    ],
)
def test_create_refuses_bad_input_and_changes_nothing(
    gql: Any, curricula_graph: Graph, changes: dict[str, Any], code: str, field: str, words: str
) -> None:
    before = curriculum_state(curricula_graph)
    result = gql(CREATE, {"input": new_curriculum(**changes)})
    assert result.codes == [code]
    assert result.fields == [field]
    assert words in result.errors[0]["message"]
    assert curriculum_state(curricula_graph) == before


def test_writes_need_an_editor_token(gql: Any, curricula_graph: Graph) -> None:
    before = curriculum_state(curricula_graph)
    variables = {"input": {"curriculum": NBO, "module": "after-award"}}
    assert gql(REMOVE_MODULE, variables, viewer=Viewer()).codes == ["UNAUTHENTICATED"]
    assert gql(REMOVE_MODULE, variables, viewer=READER).codes == ["FORBIDDEN"]
    assert curriculum_state(curricula_graph) == before


def test_update_curriculum_sets_given_fields_only(gql: Any, curricula_graph: Graph) -> None:
    result = gql(
        UPDATE,
        {
            "input": {
                "id": NBO,
                "title": "Onboarding for new buyers",
                "certifications": ["CPPB", "NIGP-GBP"],
            }
        },
    )
    assert result.errors == []
    c = result.data["updateCurriculum"]["curriculum"]
    assert c["title"] == "Onboarding for new buyers"
    assert c["audience"].startswith("Buyers in their first year")
    assert [x["code"] for x in c["certifications"]] == ["CPPB", "NIGP-GBP"]
    before = curriculum_state(curricula_graph)
    empty = gql(UPDATE, {"input": {"id": NBO, "title": "", "audience": " "}})
    assert empty.codes == ["BAD_USER_INPUT"]
    assert [f["field"] for f in empty.errors[0]["extensions"]["fields"]] == [
        "input.title",
        "input.audience",
    ]
    missing = gql(UPDATE, {"input": {"id": "no-such-curriculum", "title": "X"}})
    assert missing.codes == ["NOT_FOUND"] and missing.fields == ["input.curriculum"]
    assert curriculum_state(curricula_graph) == before


def test_delete_curriculum_removes_it_and_its_modules(gql: Any, curricula_graph: Graph) -> None:
    # The seed's curricula are no editor's own: an admin deletes them.
    result = gql(DELETE, {"input": {"id": NBO}}, viewer=Viewer("test-admin", "admin", "t3"))
    assert result.errors == [] and result.data["deleteCurriculum"]["deletedId"] == NBO
    left = curricula_graph.read(
        "MATCH (m:Module) WHERE m.curriculum = $id RETURN count(m) AS n", id=NBO
    )
    assert left == [{"n": 0}]
    assert curricula_graph.read("MATCH (p:Practice) RETURN count(p) AS n") == [{"n": 48}]
    assert gql(DELETE, {"input": {"id": NBO}}).codes == ["NOT_FOUND"]


def test_add_update_move_and_remove_modules(gql: Any) -> None:
    added = gql(
        ADD_MODULE,
        {
            "input": {
                "curriculum": NBO,
                "title": "Cooperative buying",
                "objectives": ["Use a state contract."],
                "position": 2,
            }
        },
    )
    assert added.errors == []
    modules = added.data["addModule"]["curriculum"]["modules"]
    assert [m["key"] for m in modules] == [
        "know-the-rules",
        "cooperative-buying",
        "plan-the-purchase",
        "buy-it",
        "after-award",
    ]
    assert modules[1]["items"] == [] and modules[1]["objectives"] == ["Use a state contract."]
    updated = gql(
        UPDATE_MODULE,
        {"input": {"curriculum": NBO, "module": "cooperative-buying", "objectives": ["A", "B"]}},
    )
    module = updated.data["updateModule"]["curriculum"]["modules"][1]
    assert module["title"] == "Cooperative buying" and module["objectives"] == ["A", "B"]
    moved = gql(MOVE_MODULE, {"input": {"curriculum": NBO, "module": "after-award", "position": 1}})
    assert [m["key"] for m in moved.data["moveModule"]["curriculum"]["modules"]][:2] == [
        "after-award",
        "know-the-rules",
    ]
    removed = gql(REMOVE_MODULE, {"input": {"curriculum": NBO, "module": "cooperative-buying"}})
    assert "cooperative-buying" not in [
        m["key"] for m in removed.data["removeModule"]["curriculum"]["modules"]
    ]


@pytest.mark.parametrize(
    ("query", "input", "code", "field", "words"),
    [
        (
            ADD_MODULE,
            {"title": "X", "position": 6},
            "BAD_USER_INPUT",
            "input.position",
            "position 6 is out of range; expected 1..5",
        ),
        (
            ADD_MODULE,
            {"title": "X", "position": 0},
            "BAD_USER_INPUT",
            "input.position",
            "positions count from 1",
        ),
        (ADD_MODULE, {"title": " "}, "BAD_USER_INPUT", "input.title", "is empty"),
        (
            ADD_MODULE,
            {"title": "X", "key": "buy-it"},
            "BAD_USER_INPUT",
            "input.key",
            "already has a module 'buy-it'",
        ),
        (
            MOVE_MODULE,
            {"module": "buy-it", "position": 5},
            "BAD_USER_INPUT",
            "input.position",
            "expected 1..4",
        ),
        (
            MOVE_MODULE,
            {"module": "nope", "position": 1},
            "NOT_FOUND",
            "input.module",
            "has no module 'nope'",
        ),
        (REMOVE_MODULE, {"module": "nope"}, "NOT_FOUND", "input.module", "its modules are"),
        (
            ADD_ITEM,
            {"module": "buy-it", "item": practice("procurement-policy-manual")},
            "BAD_USER_INPUT",
            "input.item",
            "already in curriculum 'new-buyer-onboarding' (module 'know-the-rules', item 1)",
        ),
        (
            ADD_ITEM,
            {"module": "buy-it", "item": lesson("L-9999")},
            "NOT_FOUND",
            "input.item",
            "there is no Lesson 'L-9999'",
        ),
        (
            ADD_ITEM,
            {"module": "buy-it", "item": practice("lead-state-model"), "position": 10},
            "BAD_USER_INPUT",
            "input.position",
            "expected 1..9",
        ),
        (
            ADD_ITEM,
            {"module": "nope", "item": practice("lead-state-model")},
            "NOT_FOUND",
            "input.module",
            "has no module 'nope'",
        ),
        (
            MOVE_ITEM,
            {"item": lesson("L-0005"), "position": 6},
            "BAD_USER_INPUT",
            "input.position",
            "expected 1..5",
        ),
        (
            MOVE_ITEM,
            {"item": lesson("L-0005"), "position": 6, "module": "after-award"},
            "BAD_USER_INPUT",
            "input.position",
            "expected 1..5",
        ),
        (
            MOVE_ITEM,
            {"item": practice("lead-state-model"), "position": 1},
            "NOT_FOUND",
            "input.item",
            "is not in curriculum",
        ),
        (REMOVE_ITEM, {"item": "not-an-id"}, "BAD_USER_INPUT", "input.item", "not a global ID"),
    ],
)
def test_module_and_item_edits_refuse_bad_input_and_change_nothing(
    gql: Any,
    curricula_graph: Graph,
    query: str,
    input: dict[str, Any],
    code: str,
    field: str,
    words: str,
) -> None:
    before = curriculum_state(curricula_graph)
    result = gql(query, {"input": {"curriculum": NBO, **input}})
    assert result.codes == [code], result.errors
    assert result.fields == [field]
    assert words in result.errors[0]["message"]
    assert curriculum_state(curricula_graph) == before


def test_add_move_and_remove_items(gql: Any) -> None:
    added = gql(
        ADD_ITEM,
        {
            "input": {
                "curriculum": NBO,
                "module": "after-award",
                "item": practice("contract-closeout"),
                "position": 2,
            }
        },
    )
    assert added.errors == []
    assert keys(added, "addItem")[3] == [
        "award-notice-and-debriefings",
        "contract-closeout",
        "contract-administration-plan",
        "purchasing-card-programs",
        "L-0146",
    ]
    moved = gql(MOVE_ITEM, {"input": {"curriculum": NBO, "item": lesson("L-0146"), "position": 1}})
    assert keys(moved, "moveItem")[3][0] == "L-0146"
    across = gql(
        MOVE_ITEM,
        {
            "input": {
                "curriculum": NBO,
                "item": lesson("L-0146"),
                "module": "know-the-rules",
                "position": 6,
            }
        },
    )
    assert keys(across, "moveItem")[0][-1] == "L-0146"
    assert "L-0146" not in keys(across, "moveItem")[3]
    removed = gql(REMOVE_ITEM, {"input": {"curriculum": NBO, "item": lesson("L-0146")}})
    assert all("L-0146" not in module for module in keys(removed, "removeItem"))


def test_item_before_its_prerequisite_is_a_warning_and_suggested_order_fixes_it(gql: Any) -> None:
    # running-a-request-for-proposals needs choosing-a-solicitation-method (item 3 of buy-it).
    moved = gql(
        MOVE_ITEM,
        {
            "input": {
                "curriculum": NBO,
                "module": "plan-the-purchase",
                "item": practice("running-a-request-for-proposals"),
                "position": 1,
            }
        },
    )
    assert moved.errors == []
    c = moved.data["moveItem"]["curriculum"]
    later = [w for w in c["warnings"] if w["kind"] == "PREREQUISITE_LATER"]
    assert {(w["item"], w["prerequisite"]) for w in later} == {
        ("running-a-request-for-proposals", "choosing-a-solicitation-method"),
        ("running-a-request-for-proposals", "market-research-before-solicitation"),
        ("running-a-request-for-proposals", "needs-assessment-and-requirements-definition"),
    }
    direct = next(w for w in later if w["prerequisite"] == "choosing-a-solicitation-method")
    assert direct["message"] == (
        "'Running a request for proposals' (module 'plan-the-purchase', item 1) comes before "
        "its prerequisite 'Choosing a solicitation method: RFP, IFB or RFQ' "
        "(module 'buy-it', item 3)"
    )
    order = [i["key"] for i in c["suggestedOrder"]]
    for before, after in (
        ("choosing-a-solicitation-method", "running-a-request-for-proposals"),
        ("needs-assessment-and-requirements-definition", "running-a-request-for-proposals"),
        ("running-a-request-for-proposals", "L-0177"),
    ):
        assert order.index(before) < order.index(after)
    assert sorted(order) == sorted(i for m in c["modules"] for i in [x["key"] for x in m["items"]])


def test_leaving_out_a_prerequisite_is_a_warning(gql: Any) -> None:
    result = gql(
        REMOVE_ITEM,
        {"input": {"curriculum": NBO, "item": practice("choosing-a-solicitation-method")}},
    )
    warnings = result.data["removeItem"]["curriculum"]["warnings"]
    assert [(w["kind"], w["item"], w["prerequisite"]) for w in warnings] == [
        (
            "PREREQUISITE_MISSING",
            "running-a-request-for-proposals",
            "choosing-a-solicitation-method",
        )
    ]
    assert "which the curriculum does not include" in warnings[0]["message"]


def test_add_prerequisite_links_practices_once(gql: Any, curricula_graph: Graph) -> None:
    variables = {
        "input": {
            "practice": practice("contract-closeout"),
            "prerequisite": practice("performance-based-contracting"),
        }
    }
    first = gql(PREREQUISITE, variables)
    assert first.errors == []
    payload = first.data["addPrerequisite"]
    assert payload["created"] is True
    assert {"slug": "performance-based-contracting"} in payload["practice"]["prerequisites"][
        "nodes"
    ]
    again = gql(PREREQUISITE, variables)
    assert again.data["addPrerequisite"]["created"] is False


def test_prerequisite_cycle_is_refused_naming_the_cycle(gql: Any, curricula_graph: Graph) -> None:
    before = curriculum_state(curricula_graph)
    # needs-assessment -> market-research -> choosing-a-solicitation-method already.
    result = gql(
        PREREQUISITE,
        {
            "input": {
                "practice": practice("needs-assessment-and-requirements-definition"),
                "prerequisite": practice("choosing-a-solicitation-method"),
            }
        },
    )
    assert result.codes == ["BAD_USER_INPUT"] and result.fields == ["input.prerequisite"]
    message = result.errors[0]["message"]
    assert message.startswith("this link would make a prerequisite cycle: ")
    assert (
        message.index("(choosing-a-solicitation-method)")
        < message.index("(needs-assessment-and-requirements-definition)")
        < message.index("(market-research-before-solicitation)")
    )
    assert message.endswith("(choosing-a-solicitation-method)")
    itself = gql(
        PREREQUISITE,
        {
            "input": {
                "practice": practice("lead-state-model"),
                "prerequisite": practice("lead-state-model"),
            }
        },
    )
    assert (
        itself.codes == ["BAD_USER_INPUT"] and "its own prerequisite" in itself.errors[0]["message"]
    )
    unknown = gql(
        PREREQUISITE,
        {"input": {"practice": practice("nope"), "prerequisite": practice("lead-state-model")}},
    )
    assert unknown.codes == ["NOT_FOUND"] and unknown.fields == ["input.practice"]
    assert curriculum_state(curricula_graph) == before
