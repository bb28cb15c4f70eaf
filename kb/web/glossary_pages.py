"""The glossary pages: ``/glossary`` (alphabetical, with a letter index) and
``/glossary/{name}`` (a term's definition, source, and the practices and lessons that
use it). Data comes through the GraphQL schema in process, as for every page.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from kb.api.schema import Schema
from kb.web.pages import Handler, PageError, error_page, render, run_query

#: Longest term name an address may carry (the API refuses longer ones too).
MAX_NAME = 100

TERM_FIELDS = "name expansion kind alsoKnownAs definition source searchedWith"

GLOSSARY = f"""
query GlossaryPage($after: String) {{
  glossary(first: 100, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {TERM_FIELDS} }}
  }}
}}
"""

TERM = f"""
query TermPage($name: String!) {{
  term(name: $name) {{
    {TERM_FIELDS}
    practices(first: 10) {{ slug title summary }}
    lessons(first: 10) {{ key title recordedOn }}
  }}
}}
"""


def letter_of(name: str) -> str:
    """The index letter a term is filed under ('#' for one that starts with a digit)."""
    first = name[:1].upper()
    return first if first.isalpha() else "#"


async def _all_terms(request: Request, schema: Schema) -> list[dict[str, Any]]:
    terms: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        data = await run_query(request, schema, GLOSSARY, {"after": after})
        page = data["glossary"]
        terms.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return terms
        after = page["pageInfo"]["endCursor"]


def glossary_index(schema: Schema) -> Handler:
    async def page(request: Request) -> Response:
        try:
            terms = await _all_terms(request, schema)
        except PageError as error:
            return error_page(request, error)
        sections = [(letter, list(group)) for letter, group in groupby(terms, key=_letter)]
        return render(
            request,
            "glossary.html",
            title="Glossary of the trade",
            sections=sections,
            letters=[letter for letter, _ in sections],
            total=len(terms),
        )

    return page


def _letter(term: dict[str, Any]) -> str:
    return letter_of(str(term["name"]))


def glossary_term(schema: Schema) -> Handler:
    async def page(request: Request) -> Response:
        name = request.path_params["name"]
        if len(name) > MAX_NAME:
            too_long = f"Term names are at most {MAX_NAME} characters."
            return error_page(request, PageError(400, "That address is too long", too_long))
        try:
            data = await run_query(request, schema, TERM, {"name": name})
        except PageError as error:
            return error_page(request, error)
        term = data.get("term")
        if term is None:
            missing = f"The glossary has no term {name!r}. The glossary page lists them all."
            return error_page(request, PageError(404, "No such term", missing))
        return render(request, "term.html", title=term["name"], term=term)

    return page


def glossary_routes(schema: Schema) -> list[BaseRoute]:
    """``/glossary`` and ``/glossary/{name}``."""
    return [
        Route("/glossary", glossary_index(schema)),
        Route("/glossary/{name:path}", glossary_term(schema)),
    ]
