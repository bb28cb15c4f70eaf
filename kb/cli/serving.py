"""What ``kb serve`` tells a person while it starts and stops, and how it stops.

Each start-up step is a line on stderr (Neo4j starting and ready, schema applied, the
seeding bar, the search index catching up, the URL to open). Ctrl-C (SIGINT) or SIGTERM
stops the server cleanly: running requests get :data:`SHUTDOWN_GRACE` seconds, then
the process says so and exits 0. A signal that arrives while Neo4j starts or the seed
loads stops there (the seed is written all or nothing). The managed Neo4j runs in its
own session, so it keeps running for the next start.
"""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

#: Seconds ``kb serve`` lets running requests finish after SIGTERM before cancelling them.
SHUTDOWN_GRACE = 5


class StopRequested(Exception):
    """SIGINT or SIGTERM arrived outside the server's own handling of it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class ConsoleProgress:
    """A :class:`kb.bootstrap.StartupProgress` that prints to a console: each step
    on a line, the time since start before it, and a bar for the seed."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.began = time.monotonic()

    def say(self, message: str) -> None:
        elapsed = time.monotonic() - self.began
        self.console.print(
            f"[dim]{elapsed:6.1f}s[/] {message}", highlight=False, markup=True, soft_wrap=True
        )

    @contextmanager
    def bar(self, description: str, total: int) -> Iterator[Callable[[int], None]]:
        columns = (TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=False) as progress:
            task = progress.add_task(description, total=total)
            yield lambda rows: progress.advance(task, rows)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`StopRequested` (once: a second signal while
    stopping is ignored). Uvicorn puts its own handlers in while it serves and, once it
    has shut down, raises the signal it caught again, which lands here."""

    def handler(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise StopRequested(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class AnnouncingServer(uvicorn.Server):
    """A uvicorn server that calls ``on_started`` once it is listening."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.on_started()


def url_of(host: str, port: int) -> str:
    """The address a person opens for a server bound to ``host``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"
