# strawberry.field(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"
"""``glossary(first:, after:, where:)`` and ``term(name:)``: the trade's vocabulary
(``kb/domain/glossary.yaml``), each term with the practices and lessons that use it.

A term's ``practices`` and ``lessons`` come from the search service, queried with the
term itself: the glossary is what search expands queries with, so "the records that use
MPA" are exactly the records a search for MPA finds (its whole group: master agreement,
MSA...), ranked, and without a term node or relationship to keep in step with every
edit of the text. A term whose bare name has another reading ("MA" is also
Massachusetts) is searched by its expansion instead, so the lists stay on the term.

Example:
    query { term(name: "mpa") { name expansion definition source
                                practices(first: 3) { slug title } } }
"""

from __future__ import annotations

from typing import Any

import strawberry

from kb.api.errors import BadInputError
from kb.api.nodes import to_node
from kb.api.pagination import Connection, Edge, PageInfo, encode_cursor, page_request
from kb.api.related import runtime
from kb.api.relationship_fields import Info
from kb.api.types import Lesson, Practice
from kb.domain.glossary import Glossary, GlossaryKind, Term, default_glossary, normalise
from kb.search import SearchFilters

#: Most practices or lessons one term lists.
MAX_USES = 20
_MAX_FILTER = 100

GlossaryKindEnum = strawberry.enum(
    GlossaryKind, name="GlossaryKind", description="What part of the trade a term belongs to."
)


@strawberry.input(description="Restrict the glossary; all given conditions at once.")
class GlossaryWhere:
    starts_with: str | None = strawberry.field(
        default=None, description="Name begins with this (case aside), e.g. a letter: 'M'."
    )
    kind: GlossaryKindEnum | None = None  # type: ignore[valid-type]
    text: str | None = strawberry.field(
        default=None,
        description="Appears (case aside) in the name, expansion, other names or definition.",
    )

    def matches(self, term: Term) -> bool:
        if self.starts_with is not None and not normalise(term.name).startswith(
            _filter_text(self.starts_with, "where.startsWith")
        ):
            return False
        if self.kind is not None and term.kind is not self.kind:
            return False
        if self.text is not None:
            wanted = _filter_text(self.text, "where.text")
            haystack = (*term.phrases, term.definition)
            return any(wanted in normalise(h) for h in haystack)
        return True


def _filter_text(value: str, argument: str) -> str:
    text = normalise(value)
    if not text or len(text) > _MAX_FILTER:
        raise BadInputError(
            f"{argument}: {value[:40]!r} must be 1..{_MAX_FILTER} characters", argument
        )
    return text


@strawberry.type(name="Term", description="A term of the trade: its expansion, other names, "
                 "a definition and a source a reader can open.")  # fmt: skip
class GlossaryTerm:
    entry: strawberry.Private[Term]
    glossary: strawberry.Private[Glossary]

    @strawberry.field(description="The term as people type it: 'MPA', 'sole source'.")
    def name(self) -> str:
        return self.entry.name

    @strawberry.field(description="The spelled-out or canonical form.")
    def expansion(self) -> str:
        return self.entry.expansion

    @strawberry.field
    def kind(self) -> GlossaryKindEnum:  # type: ignore[valid-type]
        return self.entry.kind

    @strawberry.field(description="Other phrases buyers and vendors use for the same thing.")
    def also_known_as(self) -> list[str]:
        return list(self.entry.also_known_as)

    @strawberry.field(description="One line, in the knowledge base's own words.")
    def definition(self) -> str:
        return self.entry.definition

    @strawberry.field(description="A public page the definition rests on.")
    def source(self) -> str:
        return self.entry.source

    @strawberry.field(
        description="The other terms a search for this one also matches (its search group)."
    )
    def searched_with(self) -> list[str]:
        members = self.glossary.group_members(self.entry)
        return [t.name for t in members if t is not self.entry]

    @strawberry.field(description=f"Practices that use the term, best first (at most {MAX_USES}).")
    async def practices(self, info: Info, first: int = 5) -> list[Practice]:
        return await self._uses(info, "practice", first)

    @strawberry.field(description=f"Lessons that use the term, best first (at most {MAX_USES}).")
    async def lessons(self, info: Info, first: int = 5) -> list[Lesson]:
        return await self._uses(info, "lesson", first)

    async def _uses(self, info: Info, kind: str, first: int) -> list[Any]:
        info.context.require_read()
        if not 1 <= first <= MAX_USES:
            raise BadInputError(f"first: {first} is out of range; expected 1..{MAX_USES}", "first")
        service = runtime(info).service
        text = self.entry.expansion if self.entry.name_also_means else self.entry.name
        filters = SearchFilters(kinds=(kind,))
        result = await info.context.run_expensive(service.search, text, filters, first, None)
        label = "Practice" if kind == "practice" else "Lesson"
        records = await info.context.loaders.node(label).load_many([h.id for h in result.hits])
        return [to_node(r) for r in records if r is not None]


def _connection(terms: list[GlossaryTerm], offset: int, limit: int) -> Connection[GlossaryTerm]:
    page = terms[offset : offset + limit]
    edges = [Edge(node=t, cursor=encode_cursor(offset + i)) for i, t in enumerate(page)]
    info = PageInfo(
        has_next_page=offset + len(page) < len(terms),
        has_previous_page=offset > 0,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, nodes=page, page_info=info, total_count=len(terms))


@strawberry.type
class GlossaryQuery:
    @strawberry.field(
        description="The glossary of the trade, alphabetical: acronyms, synonyms and the "
        "words buyers and vendors use for the same thing."
    )
    def glossary(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        where: GlossaryWhere | None = None,
    ) -> Connection[GlossaryTerm]:
        info.context.require_read()
        request = page_request(first, after)
        glossary = default_glossary()
        terms = [
            GlossaryTerm(entry=t, glossary=glossary)
            for t in glossary
            if where is None or where.matches(t)
        ]
        return _connection(terms, request.offset, request.limit)

    @strawberry.field(
        description="A term by its name or any of its other names, case aside "
        "('mpa', 'master price agreement'); null when the glossary has none."
    )
    def term(self, info: Info, name: str) -> GlossaryTerm | None:
        info.context.require_read()
        _filter_text(name, "name")
        glossary = default_glossary()
        found = glossary.find(name)
        return GlossaryTerm(entry=found, glossary=glossary) if found is not None else None
