"""Turn the graph's documents into Whoosh fields."""

from __future__ import annotations

import re
from typing import Any

from kb.graph.search_docs import ContractDoc, LessonDoc, PracticeDoc, SearchDoc
from kb.search.schema import NO_VALUE

_MARKDOWN = re.compile(r"^#{1,6}\s*|\*\*|__|`|^\s*(?:\d+\.|[-*])\s+", re.MULTILINE)


def plain_text(markdown: str) -> str:
    """Markdown without the markup that would show up in highlighted fragments."""
    return _MARKDOWN.sub("", markdown)


def uid(kind: str, id: str) -> str:
    """The unique key of a document in the index: kind and id."""
    return f"{kind}:{id}"


def document_fields(doc: SearchDoc) -> dict[str, Any]:
    """The fields to store for ``doc``; every text field is present (maybe empty)."""
    links = doc.links
    if isinstance(doc, PracticeDoc):
        kind, summary, date = "practice", doc.summary, doc.published_on
        body = plain_text(doc.body)
        tags, status = list(doc.tags), ""
    elif isinstance(doc, LessonDoc):
        kind, summary, date = "lesson", doc.lesson, doc.recorded_on
        body = f"{doc.context}\n{doc.recommendation}"
        tags, status = list(doc.tags), doc.status or ""
    else:
        assert isinstance(doc, ContractDoc)
        kind, summary, date = "contract", doc.description, doc.starts_on
        body = ""
        tags, status = [], doc.status or ""
    names = "\n".join(links.names)
    tag_text = " ; ".join(tags)
    return {
        "uid": uid(kind, doc.id),
        "kind": kind,
        "id": doc.id,
        "title": doc.title,
        "tags": tag_text,
        "summary": summary,
        "body": body,
        "names": names,
        "words": "\n".join((doc.title, tag_text, summary, body, names)),
        "state": ",".join(links.states) or NO_VALUE,
        "alliance": ",".join(links.alliances) or NO_VALUE,
        "category": ",".join(links.categories) or NO_VALUE,
        "year": (date or "")[:4],
        "date": date or "",
        "status": status,
    }
