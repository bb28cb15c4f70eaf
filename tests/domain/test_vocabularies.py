"""One source for each vocabulary and key pattern: the seed reader, imports and the
GraphQL schema accept exactly the values of :mod:`kb.domain`. Needs no Neo4j."""

from __future__ import annotations

import re
from enum import Enum

import pytest
from graphql import GraphQLEnumType

from kb.api.schema import build_schema
from kb.api.validation import KEYS
from kb.domain import patterns, records, vocabularies
from kb.domain.vocabularies import values

VOCABULARIES: list[tuple[type[Enum], tuple[str, ...]]] = [
    (vocabularies.StateKind, records.STATE_KINDS),
    (vocabularies.AllianceScope, records.ALLIANCE_SCOPES),
    (vocabularies.CategoryKind, records.CATEGORY_KINDS),
    (vocabularies.ContractStatus, records.CONTRACT_STATUSES),
    (vocabularies.LessonStatus, records.LESSON_STATUSES),
    (vocabularies.FocusArea, records.FOCUS_AREAS),
]


@pytest.mark.parametrize(("vocabulary", "accepted"), VOCABULARIES, ids=lambda v: str(v)[:20])
def test_the_seed_and_the_schema_accept_the_same_values(
    vocabulary: type[Enum], accepted: tuple[str, ...]
) -> None:
    assert accepted == values(vocabulary)
    enum = build_schema()._schema.get_type(vocabulary.__name__)
    assert isinstance(enum, GraphQLEnumType)
    assert list(enum.values) == [member.name for member in vocabulary]
    assert [value.value for value in enum.values.values()] == list(accepted)


def test_mutations_check_keys_with_the_domain_patterns() -> None:
    assert KEYS["Practice"][1:] == tuple(patterns.SLUG)
    assert KEYS["Category"][1:] == tuple(patterns.CATEGORY_CODE)
    assert KEYS["Lesson"][1:] == tuple(patterns.LESSON_ID)


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        (patterns.SLUG, ["nvp-cloud-solutions", "a1"], ["Cloud", "-lead", "a" * 81, "a_b"]),
        (patterns.STATE_CODE, ["UT", "DC"], ["ut", "U", "UTA"]),
        (patterns.CATEGORY_CODE, ["070", "IT_SERVICES"], ["70", "it", "0700"]),
        (patterns.LESSON_ID, ["L-0042", "L-12345678"], ["L-42", "l-0042", "L-123456789"]),
    ],
)
def test_key_patterns_accept_and_refuse_what_they_say(
    pattern: patterns.KeyPattern, good: list[str], bad: list[str]
) -> None:
    assert all(re.fullmatch(pattern.regex, key) for key in good)
    assert not any(re.fullmatch(pattern.regex, key) for key in bad)
