"""``/path?from=...&to=...``: how two items are connected, in words and linked.

The path is the API's ``path`` field (run in-process); each hop becomes a clause
("Utah leads Cloud Solutions, which was awarded by NASPO ValuePoint"). Items are named
``kind:key`` (``state:UT``, ``lesson:L-0001``), as a person would type them.
"""

from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from kb.api.schema import Schema
from kb.web.pages import PageError, error_page, render, run_query

#: The kinds a path may start or end at, with the section of their pages.
KINDS = {
    "state": ("State", "states"),
    "alliance": ("Alliance", "alliances"),
    "contract": ("Contract", "contracts"),
    "category": ("Category", "categories"),
    "practice": ("Practice", "practices"),
    "lesson": ("Lesson", "lessons"),
}
SECTIONS = {label: section for label, section in KINDS.values()}

#: Each relationship read forwards and backwards.
VERBS = {
    "MEMBER_OF": ("is a member of", "has as a member"),
    "LEADS": ("leads", "is led by"),
    "PARTICIPATES_IN": ("takes part in", "has as a participant"),
    "AWARDED": ("awarded", "was awarded by"),
    "COVERS": ("covers", "is covered by"),
    "ABOUT": ("is about", "is the subject of"),
    "FROM": ("comes from", "is where this comes from:"),
    "PART_OF": ("is part of", "includes"),
    "REFERENCES": ("references", "is referenced by"),
    "APPLIES_TO": ("applies to", "is the field of"),
    "SHARED_BY": ("was shared by", "shared"),
    "CHILD_OF": ("is a sub-category of", "has as a sub-category"),
    "ARM_OF": ("is an arm of", "has as an arm"),
    "PREREQUISITE_OF": ("is a prerequisite of", "builds on"),
    "RELATED_TO": ("is related to", "is related to"),
}

PATH = """
query PathPage($from: ID!, $to: ID!) {
  start: node(id: $from) { key }
  end: node(id: $to) { key }
  path(from: $from, to: $to) {
    length
    hops { relationship forward from { ...named } to { ...named } }
  }
}
fragment named on Node {
  __typename key
  ... on State { name } ... on Alliance { name } ... on Contract { title }
  ... on Category { name } ... on Practice { title } ... on Lesson { title }
}
"""


def _global_id(param: str, text: str) -> str:
    kind, sep, key = text.strip().partition(":")
    if not sep or kind.lower() not in KINDS or not key.strip() or len(key) > 100:
        raise PageError(
            400,
            "That item cannot be read",
            f"{param}: {text!r} is not an item; expected kind:key with kind one of "
            f"{', '.join(KINDS)} (for example state:UT or lesson:L-0001).",
        )
    label = KINDS[kind.lower()][0]
    return base64.b64encode(f"{label}:{key.strip()}".encode()).decode()


def _named(node: dict[str, Any]) -> tuple[str, str]:
    """The words for a node ("contract Cloud Solutions") and its page."""
    label, key = node["__typename"], node["key"]
    name = node.get("name") or node.get("title") or key
    if label == "Category":
        name = f"{key} {name}" if name != key and key.isdigit() else name
    elif label == "Lesson":
        name = f"{key} ({name})"
    elif label == "State":
        name = f"{name} ({key})"
    return f"{label.lower()} {name}", f"/{SECTIONS.get(label, '')}/{key}"


def sentence(hops: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The path as text pieces, each with the page it links to (or None)."""
    if not hops:
        return []
    words, href = _named(hops[0]["from"])
    pieces: list[tuple[str, str | None]] = [(words[:1].upper() + words[1:], href)]
    for index, hop in enumerate(hops):
        forward, backward = VERBS.get(hop["relationship"], (hop["relationship"].lower(),) * 2)
        verb = forward if hop["forward"] else backward
        pieces.append((f" {verb} " if index == 0 else f", which {verb} ", None))
        pieces.append(_named(hop["to"]))
    pieces.append((".", None))
    return pieces


def path_page(schema: Schema) -> Any:
    """The handler of ``/path``."""

    async def page(request: Request) -> Response:
        sent = {name: request.query_params.get(name, "") for name in ("from", "to")}
        pieces: list[tuple[str, str | None]] = []
        asked = bool(sent["from"] or sent["to"])
        length = None
        try:
            if asked:
                variables = {name: _global_id(name, text) for name, text in sent.items()}
                data = await run_query(request, schema, PATH, variables)
                for name, end in (("from", "start"), ("to", "end")):
                    if data[end] is None:
                        raise PageError(404, "No such item", f"{name}: no item {sent[name]!r}.")
                path = data["path"]
                if path is not None:
                    length = path["length"]
                    pieces = sentence(path["hops"])
        except PageError as error:
            return error_page(request, error)
        return render(
            request,
            "path.html",
            title="How are two items connected?",
            sent=sent,
            asked=asked,
            pieces=pieces,
            length=length,
            kinds=list(KINDS),
        )

    return page


def path_routes(schema: Schema) -> list[BaseRoute]:
    return [Route("/path", path_page(schema))]
