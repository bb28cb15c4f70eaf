"""The relationship table drives the graph reads and the API's fields (no Neo4j needed)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import strawberry
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, get_named_type

from kb.api.nodes import Node, registered_types
from kb.api.relationship_fields import LIST_ARGUMENTS, check_fields, relationship_field
from kb.api.schema import build_schema
from kb.domain.relationships import (
    ALLIANCE_MEMBERS,
    CONTRACT_CATEGORIES,
    LABELS,
    RELATIONSHIPS,
    STATE_ALLIANCES,
    STATE_ELIGIBLE_CONTRACTS,
    STATE_LESSONS,
    Direction,
    Edge,
    Relationship,
    of_label,
)
from kb.graph.filters import linked
from kb.graph.reads import relationship_pattern

CONNECTION_SUFFIX = {Edge.PLAIN: "Connection", Edge.SINCE: "ParticipationConnection"}
CONNECTION_SUFFIX[Edge.PERIOD] = "MembershipConnection"


@pytest.fixture(scope="module")
def graphql_types() -> dict[str, GraphQLObjectType]:
    found: dict[str, GraphQLObjectType] = {}
    type_map = build_schema()._schema.type_map
    for label in LABELS:
        gtype = type_map[label]
        assert isinstance(gtype, GraphQLObjectType)
        found[label] = gtype
    return found


def test_every_label_has_its_relationships_and_every_relationship_a_known_label() -> None:
    assert {r.parent for r in RELATIONSHIPS} == set(LABELS)
    assert {r.target for r in RELATIONSHIPS} <= set(LABELS)
    assert sum(len(of_label(label)) for label in LABELS) == len(RELATIONSHIPS)


@pytest.mark.parametrize("rel", RELATIONSHIPS, ids=str)
def test_the_schema_field_is_what_the_table_says(
    rel: Relationship, graphql_types: dict[str, GraphQLObjectType]
) -> None:
    field = graphql_types[rel.parent].fields[rel.field]
    assert field.description == rel.description
    named = get_named_type(field.type)
    if not rel.many:
        assert not isinstance(field.type, GraphQLNonNull | GraphQLList)
        assert named.name == rel.target
        assert field.args == {}
        return
    assert isinstance(field.type, GraphQLNonNull)
    assert named.name == rel.target + CONNECTION_SUFFIX[rel.edge]
    where, order = LIST_ARGUMENTS[rel.target]
    expected = ["first", "after", "where", "orderBy"] + (
        ["asOf"] if rel.edge is Edge.PERIOD else []
    )
    assert list(field.args) == expected
    assert get_named_type(field.args["where"].type).name == where.__name__
    assert get_named_type(field.args["orderBy"].type).name == order.__name__


def test_the_types_have_no_relationship_field_beyond_the_table(
    graphql_types: dict[str, GraphQLObjectType],
) -> None:
    # A connection or node-valued field of a node type is a relationship of the table,
    # except relatedItems (search), which is not a graph relationship.
    declared = {(r.parent, r.field) for r in RELATIONSHIPS}
    for label, gtype in graphql_types.items():
        for name, field in gtype.fields.items():
            target = get_named_type(field.type).name
            if name != "relatedItems" and (target in LABELS or target.endswith("Connection")):
                assert (label, name) in declared, f"{label}.{name} is not in the table"


@pytest.mark.parametrize("rel", RELATIONSHIPS, ids=str)
def test_each_pattern_binds_parent_node_and_edge(rel: Relationship) -> None:
    pattern = relationship_pattern(rel)
    assert pattern.startswith(f"MATCH (p:{rel.parent} {{id: pid}})")
    assert f"(n:{rel.target})" in pattern
    if rel.type is not None and rel.direction is not Direction.EITHER:
        arrow = f"-[r:{rel.type}]->" if rel.direction is Direction.OUT else f"<-[r:{rel.type}]-"
        assert arrow in pattern
    else:
        assert pattern.endswith("WITH DISTINCT n, null AS r")
    assert ("$asOf" in pattern) == (rel.edge is Edge.PERIOD)


def test_direction_decides_the_arrow() -> None:
    assert relationship_pattern(replace(STATE_LESSONS, direction=Direction.OUT)) == (
        "MATCH (p:State {id: pid})-[r:FROM]->(n:Lesson)"
    )
    assert relationship_pattern(STATE_LESSONS) == "MATCH (p:State {id: pid})<-[r:FROM]-(n:Lesson)"
    either = relationship_pattern(replace(STATE_LESSONS, direction=Direction.EITHER))
    assert re.fullmatch(r"MATCH .*-\[x:FROM\]-\(n:Lesson\) WITH DISTINCT n, null AS r", either)


def test_the_types_match_the_table() -> None:
    check_fields(registered_types())  # what kb.api.types runs at import


def test_a_relationship_without_its_field_fails_the_check() -> None:
    @strawberry.type
    class State(Node):
        alliances = relationship_field(STATE_ALLIANCES)

    with pytest.raises(AssertionError) as error:
        check_fields({"State": State}, of_label("State"))
    assert "State.ledContracts has no field on its type" in str(error.value)
    assert "State.alliances" not in str(error.value)


def test_a_field_named_apart_from_its_relationship_fails_the_check() -> None:
    @strawberry.type
    class State(Node):
        memberships = relationship_field(STATE_ALLIANCES)

    with pytest.raises(AssertionError, match=r"State\.memberships is made for State\.alliances"):
        check_fields({"State": State}, [STATE_ALLIANCES])


def test_a_relationship_on_the_wrong_type_fails_the_check() -> None:
    @strawberry.type
    class Alliance(Node):
        alliances = relationship_field(STATE_ALLIANCES)

    with pytest.raises(AssertionError, match=r"made for State\.alliances, a field of State"):
        check_fields({"Alliance": Alliance}, [STATE_ALLIANCES])


def test_a_filter_follows_the_relationship_the_way_the_table_points() -> None:
    assert linked(ALLIANCE_MEMBERS, "hasMember") == (
        "($w.hasMember IS NULL OR EXISTS { MATCH (:State {id: $w.hasMember})-[m:MEMBER_OF]->(n)"
        " WHERE (m.until IS NULL OR m.until > date()) })"
    )
    assert linked(CONTRACT_CATEGORIES, "category", subcategories=True) == (
        "($w.category IS NULL OR EXISTS { (n)-[:COVERS]->(:Category)-[:CHILD_OF*0..5]->"
        "(:Category {id: $w.category}) })"
    )
    assert linked(replace(CONTRACT_CATEGORIES, direction=Direction.IN), "c") == (
        "($w.c IS NULL OR EXISTS { (:Category {id: $w.c})-[:COVERS]->(n) })"
    )
    with pytest.raises(ValueError, match=r"State\.eligibleContracts has no stored direction"):
        linked(STATE_ELIGIBLE_CONTRACTS, "eligible")
