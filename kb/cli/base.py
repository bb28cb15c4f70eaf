"""The ``kb`` group, shared helpers, and the serve and neo4j commands."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from rich.console import Console

from kb.config import ConfigError, Settings
from kb.domain.glossary import GlossaryError, default_glossary
from kb.graph.db import DatabaseUnavailableError, Graph
from kb.neo4j_local import Neo4jLocalError
from kb.seed import SeedValidationError

F = TypeVar("F", bound=Callable[..., Any])

out = Console()
err = Console(stderr=True)


def settings_of(ctx: click.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


@contextmanager
def open_graph_cli(settings: Settings) -> Iterator[Graph]:
    from kb.bootstrap import prepare

    graph = prepare(settings, seed_if_empty=False)
    try:
        yield graph
    finally:
        graph.close()


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    sys.exit(code)


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Procurement knowledge graph: states, alliances, cooperative contracts, practices
    and lessons learned, in Neo4j, served over GraphQL."""
    try:
        ctx.obj = Settings.from_env()
    except ConfigError as error:
        fail(str(error), 2)


def handle_errors(func: F) -> F:
    """Turn the library's expected failures into one clear line and an exit code."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (SeedValidationError, GlossaryError) as error:
            fail(str(error), 2)
        except (Neo4jLocalError, DatabaseUnavailableError) as error:
            fail(str(error), 1)

    return wrapper  # type: ignore[return-value]


@main.command()
@click.option("--host", default=None, help="Interface to bind (default KB_HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default KB_PORT or 8000).")
@click.pass_context
@handle_errors
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Start Neo4j if needed, load the seed into an empty graph and serve the app.

    Each step is printed on stderr (Neo4j, schema, seeding, search index, the URL).
    Ctrl-C stops the app cleanly (exit 0); the managed Neo4j keeps running for the next
    start (`kb neo4j stop` stops it).
    """
    import uvicorn

    from kb.app import create_app
    from kb.bootstrap import prepare
    from kb.cli.serving import (
        SHUTDOWN_GRACE,
        AnnouncingServer,
        ConsoleProgress,
        StopRequested,
        stop_on_signals,
        url_of,
    )

    settings = settings_of(ctx)
    default_glossary()  # a broken glossary file is refused before Neo4j is started
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    progress = ConsoleProgress(err)
    bind_host, bind_port = host or settings.host, port or settings.port
    url = url_of(bind_host, bind_port)

    def started() -> None:
        progress.say(f"[bold green]Ready:[/] open [link={url}]{url}[/link] (API and GraphiQL "
                     f"at {url}graphql); Ctrl-C stops")  # fmt: skip

    graph, server = None, None
    try:
        with stop_on_signals():
            graph = prepare(settings, progress=progress)  # before binding: failures are plain
            app = create_app(settings, graph, report=progress.say)
            config = uvicorn.Config(
                app,
                host=bind_host,
                port=bind_port,
                log_level="info",
                access_log=settings.access_log,
                # SIGTERM: requests still running after this many seconds are cancelled,
                # so that the process exits within 10 s whatever it was doing.
                timeout_graceful_shutdown=SHUTDOWN_GRACE,
            )
            server = AnnouncingServer(config, started)
            server.run()
            if not server.started:
                fail(f"the server did not start on {bind_host}:{bind_port}; see above", 3)
    except StopRequested as stop:
        if server is None or not server.started:
            progress.say(f"{stop}: stopping before the server was ready")
    finally:
        if graph is not None:
            graph.close()
    neo4j_note = (
        "" if settings.external_neo4j is not None
        else "; Neo4j keeps running for the next start (.venv/bin/kb neo4j stop stops it)"
    )  # fmt: skip
    progress.say(f"Stopped{neo4j_note}")


@main.group()
def neo4j() -> None:
    """Manage the local Neo4j server (not used when NEO4J_URI is set)."""


def _local(ctx: click.Context) -> Any:
    from kb.graph.connect import local_server

    settings = settings_of(ctx)
    if settings.external_neo4j is not None:
        fail(f"NEO4J_URI is set ({settings.external_neo4j.uri}); no local server is managed")
    return local_server(settings)


@neo4j.command("start")
@click.pass_context
@handle_errors
def neo4j_start(ctx: click.Context) -> None:
    """Start the managed Neo4j (or reuse the running one) and wait for Bolt."""
    info = _local(ctx).start()
    out.print(f"Neo4j is running: {info.uri} (pid {info.pid})")


@neo4j.command("stop")
@click.pass_context
@handle_errors
def neo4j_stop(ctx: click.Context) -> None:
    """Stop the managed Neo4j cleanly."""
    stopped = _local(ctx).stop()
    out.print("Neo4j stopped" if stopped else "Neo4j was not running")


@neo4j.command("status")
@click.pass_context
def neo4j_status(ctx: click.Context) -> None:
    """Print the Bolt URI and whether it answers (exit 3 when not running)."""
    status = _local(ctx).status()
    if status.stale_pid:
        out.print(f"Neo4j is not running (stale pid {status.pid}; the next start recovers)")
        sys.exit(3)
    if not status.running:
        out.print("Neo4j is not running")
        sys.exit(3)
    answer = "answers" if status.answers else "does not answer"
    out.print(f"Neo4j is running: {status.uri} (pid {status.pid}); Bolt {answer}")
    if not status.answers:
        sys.exit(1)
