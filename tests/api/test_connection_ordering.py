"""Connection ordering and paging, as the API turns arguments into a page request and a
page back into edges and cursors (pure Python: no Neo4j)."""

from __future__ import annotations

from datetime import date
from enum import Enum

import pytest

from kb.api.enums import ContractOrder, LessonOrder, StateOrder
from kb.api.errors import BadInputError
from kb.api.nodes import item_node
from kb.api.pagination import (
    MAX_PAGE,
    connection,
    decode_cursor,
    encode_cursor,
    membership_connection,
    page_request,
)
from kb.api.relationship_fields import LIST_ARGUMENTS
from kb.domain.relationships import LABELS
from kb.graph.records import ORDER_PROPERTIES, Item, NodeRecord, Page, PageRequest

ORDERINGS = [(label, member) for label in LABELS for member in LIST_ARGUMENTS[label][1]]


@pytest.mark.parametrize(
    ("label", "order"), ORDERINGS, ids=[f"{label}.{order.name}" for label, order in ORDERINGS]
)
def test_every_order_by_value_is_a_property_the_graph_layer_sorts_by(
    label: str, order: Enum
) -> None:
    request = page_request(None, None, None, order)
    assert request.order in ORDER_PROPERTIES[label] | {"id"}
    assert request.params(label)["order"] == request.order  # accepted, not refused


@pytest.mark.parametrize(
    ("label", "order", "prop", "descending"),
    [
        ("State", StateOrder.NAME_ASC, "name", False),
        ("State", StateOrder.NAME_DESC, "name", True),
        ("Contract", ContractOrder.ENDS_ON_DESC, "endsOn", True),
        ("Contract", ContractOrder.UPDATED_AT_DESC, "updatedAt", True),
        ("Lesson", LessonOrder.RECORDED_ON_ASC, "recordedOn", False),
        ("Lesson", None, "id", False),
    ],
)
def test_order_names_the_property_and_the_direction(
    label: str, order: Enum | None, prop: str, descending: bool
) -> None:
    request = page_request(5, None, None, order)
    assert (request.order, request.descending) == (prop, descending)
    params = request.params(label)
    assert (params["order"], params["desc"]) == (prop, descending)


def test_names_of_each_ascending_and_descending_pair_sort_the_same_property() -> None:
    for label in LABELS:
        members = {m.name: m.value for m in LIST_ARGUMENTS[label][1]}
        for name, value in members.items():
            if name.endswith("_DESC") and name.replace("_DESC", "_ASC") in members:
                assert members[name.replace("_DESC", "_ASC")] == value.lstrip("-")
            assert value.startswith("-") == name.endswith("_DESC"), f"{label} {name}"


def test_the_graph_layer_refuses_a_property_outside_its_whitelist() -> None:
    with pytest.raises(ValueError, match=r"cannot order State by 'title'"):
        PageRequest(order="title").params("State")


def test_after_a_cursor_the_page_starts_at_the_next_item() -> None:
    request = page_request(10, encode_cursor(29), None, StateOrder.CODE_ASC)
    assert (request.offset, request.limit) == (30, 10)
    assert decode_cursor(encode_cursor(0)) == 0


@pytest.mark.parametrize(
    "cursor", ["", "b2Zmc2V0Oi0x", "bm90LWEtY3Vyc29y", "???", "b2Zmc2V0OnR3bw=="]
)
def test_a_cursor_not_from_this_api_is_bad_input(cursor: str) -> None:
    with pytest.raises(BadInputError, match="is not a cursor from this API") as error:
        page_request(None, cursor)
    assert error.value.field == "after"


@pytest.mark.parametrize("first", [-1, MAX_PAGE + 1])
def test_first_out_of_range_is_bad_input(first: int) -> None:
    with pytest.raises(BadInputError, match=rf"first: {first} is out of range"):
        page_request(first, None)


def _page(keys: list[str], offset: int, total: int) -> Page:
    items = [
        Item(NodeRecord.of("State", {"id": k, "code": k, "name": k, "fips": "00", "kind": "STATE"}))
        for k in keys
    ]
    return Page(total=total, offset=offset, items=items)


def test_a_connection_keeps_the_page_order_and_numbers_cursors_from_the_offset() -> None:
    page = _page(["WY", "AK", "UT"], offset=40, total=56)
    conn = connection(page, item_node)
    assert [e.node.key for e in conn.edges] == ["WY", "AK", "UT"]
    assert [n.key for n in conn.nodes] == ["WY", "AK", "UT"]
    assert [decode_cursor(e.cursor) for e in conn.edges] == [40, 41, 42]
    info = conn.page_info
    assert (info.has_previous_page, info.has_next_page) == (True, True)
    assert (info.start_cursor, info.end_cursor) == (encode_cursor(40), encode_cursor(42))
    assert conn.total_count == 56


def test_the_last_page_has_no_next_and_an_empty_page_no_cursors() -> None:
    last = connection(_page(["WV", "WY"], offset=54, total=56), item_node).page_info
    assert (last.has_next_page, last.has_previous_page) == (False, True)
    empty = connection(_page([], offset=0, total=0), item_node).page_info
    assert (empty.start_cursor, empty.end_cursor, empty.has_next_page) == (None, None, False)


def test_a_membership_edge_carries_its_dates_in_page_order() -> None:
    page = _page(["UT", "CO"], offset=0, total=2)
    dated = Page(
        total=2,
        offset=0,
        items=[
            Item(page.items[0].node, {"since": date(2020, 1, 1), "until": None}),
            Item(page.items[1].node, {"since": None, "until": date(2023, 6, 30)}),
        ],
    )
    edges = membership_connection(dated, item_node).edges
    assert [(e.node.key, e.since, e.until) for e in edges] == [
        ("UT", date(2020, 1, 1), None),
        ("CO", None, date(2023, 6, 30)),
    ]
