"""The per-request context: the graph, settings, who is asking, and the DataLoaders.

Example:
    >>> context = Context(graph, settings, Viewer("ci", "editor"))
    >>> await schema.execute("{ stats { nodes { label count } } }", context_value=context)
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kb.api.budget import run_within
from kb.api.concurrency import expensive_limiter
from kb.api.errors import ForbiddenError, UnauthenticatedError
from kb.api.loaders import Loaders
from kb.api.roles import rule_of
from kb.config import Settings
from kb.graph.async_reads import AsyncReads
from kb.graph.db import Graph
from kb.search.runtime import SearchRuntime

T = TypeVar("T")

from kb.graph.tokens import ROLES  # noqa: E402


@dataclass(frozen=True)
class Viewer:
    """Who sends the request: a token's name and role, or nobody (``role`` None)."""

    name: str | None = None
    role: str | None = None
    token_id: str | None = None

    def has(self, role: str) -> bool:
        """True when this viewer's role is ``role`` or above it."""
        return self.role is not None and ROLES.index(self.role) >= ROLES.index(role)

    @property
    def author(self) -> str:
        """The name written as the author of changes."""
        return f"token:{self.name}" if self.name else "anonymous"


ANONYMOUS = Viewer()


@dataclass
class Context:
    """What resolvers get as ``info.context``. The request's time budget
    (``KB_REQUEST_BUDGET``) starts when it is made; ``deadline`` is when it ends."""

    graph: Graph
    settings: Settings
    viewer: Viewer = ANONYMOUS
    search: SearchRuntime | None = None
    #: The event loop's async reads of the planner's statements (the app's lifespan
    #: opens them); None: they run on worker threads.
    reads: AsyncReads | None = None
    loaders: Loaders = field(init=False)
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.graph)
        self.deadline = time.monotonic() + self.settings.request_budget

    async def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call a (blocking) graph function off the event loop, within the budget."""
        work = functools.partial(func, *args, **kwargs)
        return await run_within(self.deadline, self.settings.request_budget, work)

    async def run_expensive(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Like :meth:`run`, on the few threads kept for expensive work (Whoosh, path
        searches: see :mod:`kb.api.concurrency`), so that other reads keep theirs."""
        work = functools.partial(func, *args, **kwargs)
        limiter = expensive_limiter(self.settings.expensive_threads)
        return await run_within(self.deadline, self.settings.request_budget, work, limiter)

    def require_read(self) -> None:
        """Reads are open unless KB_PUBLIC_READ=false; then a token is needed."""
        if not self.settings.public_read:
            self.require("reader")

    def require(self, role: str) -> None:
        """UNAUTHENTICATED without a token; FORBIDDEN when its role is below ``role``."""
        if self.viewer.role is None:
            raise UnauthenticatedError(f"this needs a bearer token with role {role!r} or above")
        if not self.viewer.has(role):
            raise ForbiddenError(
                f"the token {self.viewer.name!r} has role {self.viewer.role!r}; "
                f"this needs {role!r} or above"
            )

    def require_mutation(self, field: str) -> str | None:
        """Check the viewer may run the mutation ``field`` (its rule in
        :data:`kb.api.roles.RULES`; none means nobody may). Returns the author whose
        records alone the viewer may touch (an editor deleting: its own), else None."""
        rule = rule_of(field)
        if rule is None:
            raise ForbiddenError(f"the mutation {field!r} has no role rule; nobody may run it")
        self.require(rule.role)
        if rule.own and not self.viewer.has("admin"):
            return self.viewer.author
        return None

    def require_admin_for(self, what: str) -> None:
        """FORBIDDEN unless the viewer is an admin; ``what`` names the option asked for."""
        if not self.viewer.has("admin"):
            raise ForbiddenError(
                f"{what} needs role 'admin'; the token {self.viewer.name!r} has role "
                f"{self.viewer.role!r}"
            )
