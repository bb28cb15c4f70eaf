"""The curriculum export as a service of the API layer, for the pages' download links.

It is the renderer ``kb curriculum export`` uses (:mod:`kb.curricula.export`), so the
page, the command and the tests read one text; the pages call this, not the rules.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from kb.curricula.export import CurriculumNotFoundError, export_curriculum
from kb.graph.db import Graph

#: The formats an export is offered in.
EXPORT_FORMATS = ("md", "html")


async def curriculum_export(graph: Graph, key: str, fmt: str) -> str | None:
    """Curriculum ``key`` rendered as ``fmt`` (one of :data:`EXPORT_FORMATS`); None when
    there is no such curriculum.

    Raises:
        ValueError: ``fmt`` is not offered (the message names the accepted formats).
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format {fmt!r} is not offered; expected {' or '.join(EXPORT_FORMATS)}")
    try:
        return await run_in_threadpool(export_curriculum, graph, key, fmt)
    except CurriculumNotFoundError:
        return None
