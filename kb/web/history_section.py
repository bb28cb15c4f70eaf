"""The "History" section of every record page: its changes, newest first, paged.

The section runs its own GraphQL document through the schema, like the rest of the page
(``history(first:, before:)`` of the record), so that paging it back (``?before=<seq>``,
the "Older changes" link) does not rebuild the rest of the page's data differently. One
entry more than shown is read: its presence is what tells that older changes exist.

Example:
    >>> section = await history_section(request, schema, "lesson", "id", "L-0001")
    >>> section["older"]  # None, or "?before=<sequence>#history"
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from kb.api.schema import Schema
from kb.web.pages import PageError, run_query

#: Changes shown per page of the section.
HISTORY_PAGE = 10

#: The type of each root field's key argument.
_KEY_TYPES = {"curriculum": "ID"}

_DOCUMENT = """query {name}History($key: {type}!, $first: Int!, $before: Int) {{
  {field}({argument}: $key) {{
    history(first: $first, before: $before) {{
      sequence op at author fields diff {{ field old new truncated note }}
    }}
  }}
}}"""


def _before(request: Request) -> int | None:
    text = request.query_params.get("before")
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 18 or int(text) < 1:
        raise PageError(
            400,
            "That page of changes does not exist",
            f"before: {text[:40]!r} is not a change number; expected a whole number, 1 or more.",
        )
    return int(text)


async def history_section(
    request: Request, schema: Schema, field: str, argument: str, key: str
) -> dict[str, Any]:
    """The section's data: ``entries`` (newest first, at most :data:`HISTORY_PAGE`),
    ``older`` (the link to the next older page, or None) and ``paged`` (whether this is
    an older page, which then links back to the newest changes).

    Raises:
        PageError: 400 for a ``before`` that is no change number, or the query's error.
    """
    before = _before(request)
    document = _DOCUMENT.format(
        name=field.capitalize(),
        field=field,
        argument=argument,
        type=_KEY_TYPES.get(field, "String"),
    )
    variables = {"key": key, "first": HISTORY_PAGE + 1, "before": before}
    record = (await run_query(request, schema, document, variables)).get(field) or {}
    entries = list(record.get("history") or [])
    older = None
    if len(entries) > HISTORY_PAGE:
        entries = entries[:HISTORY_PAGE]
        older = f"?before={entries[-1]['sequence']}#history"
    return {"entries": entries, "older": older, "paged": before is not None}
