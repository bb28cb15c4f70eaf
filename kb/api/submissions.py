"""The web forms' one-time submissions (:mod:`kb.graph.submissions`) as a service of
the API layer: the pages never reach the graph themselves (``tests/test_layers.py``),
so they call these, which run the graph's statements off the event loop."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from kb.graph import submissions
from kb.graph.db import Graph
from kb.graph.submissions import Claim

__all__ = ["Claim", "claim", "complete", "release"]


async def claim(graph: Graph, submission: str, token_id: str, target: str) -> Claim:
    """See :func:`kb.graph.submissions.claim_submission`."""
    return await run_in_threadpool(
        submissions.claim_submission, graph, submission, token_id, target
    )


async def complete(graph: Graph, submission: str, target: str) -> None:
    """See :func:`kb.graph.submissions.complete_submission`."""
    await run_in_threadpool(submissions.complete_submission, graph, submission, target)


async def release(graph: Graph, submission: str) -> None:
    """See :func:`kb.graph.submissions.release_submission`."""
    await run_in_threadpool(submissions.release_submission, graph, submission)
