"""Search commands: search, reindex."""

from __future__ import annotations

import json
import re
from dataclasses import asdict

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from kb.cli.base import err, fail, handle_errors, main, open_graph_cli, out, settings_of

_MARK = re.compile(r"<mark>(.*?)</mark>")


def _rich(fragment: str) -> str:
    """A highlight fragment (escaped HTML with <mark>) as Rich markup."""
    import html

    parts = _MARK.split(fragment)
    # Even parts are plain text, odd parts are the matches.
    return "".join(
        f"[bold yellow]{escape(html.unescape(p))}[/]" if i % 2 else escape(html.unescape(p))
        for i, p in enumerate(parts)
    )


@main.command()
@click.argument("query", required=False, default="")
@click.option("--kind", "kinds", multiple=True, help="practice, lesson or contract (repeatable).")
@click.option("--state", "states", multiple=True, help="State code, e.g. UT (repeatable).")
@click.option("--alliance", "alliances", multiple=True, help="Alliance slug (repeatable).")
@click.option("--category", "categories", multiple=True, help="Category code (repeatable).")
@click.option("--year", "years", multiple=True, help="Year, e.g. 2023 (repeatable).")
@click.option("--first", default=10, show_default=True, help="Hits per page (1..100).")
@click.option("--after", default=None, help="Cursor of the last hit of the previous page.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@handle_errors
def search(
    ctx: click.Context,
    query: str,
    kinds: tuple[str, ...],
    states: tuple[str, ...],
    alliances: tuple[str, ...],
    categories: tuple[str, ...],
    years: tuple[str, ...],
    first: int,
    after: str | None,
    as_json: bool,
) -> None:
    """Search practices, lessons and contracts: words, questions, "phrases", state:UT.

    The index is brought up to date with the graph first. Exits 2 on a query, filter
    or cursor that cannot be used.
    """
    from kb.search import Indexer, IndexStore, SearchFilters, SearchInputError, SearchService

    settings = settings_of(ctx)
    store = IndexStore(settings.index_dir)
    filters = SearchFilters(kinds, states, alliances, categories, years)
    with open_graph_cli(settings) as graph:
        Indexer(graph, store).start()
        try:
            result = SearchService(store, graph).search(query, filters, first, after)
        except SearchInputError as error:
            fail(str(error), 2)
            return
    if as_json:
        click.echo(json.dumps(asdict(result), ensure_ascii=False))
        return
    table = Table("kind", "id", "title and matches", "score", title=f"{result.total} hit(s)")
    for hit in result.hits:
        lines = [f"[bold]{escape(hit.title)}[/]"]
        lines += [_rich(f) for h in hit.highlights if h.field != "title" for f in h.fragments[:1]]
        table.add_row(hit.kind, hit.id, "\n".join(lines[:3]), f"{hit.score:.1f}")
    out.print(table)
    if result.suggestion:
        out.print(f"did you mean: [bold]{escape(result.suggestion)}[/]")
    if result.has_next_page:
        out.print(f"more: --after {result.end_cursor}")


@main.command()
@click.pass_context
@handle_errors
def reindex(ctx: click.Context) -> None:
    """Rebuild the search index from the graph into a new directory and swap it in
    atomically; searches keep using the old index until the swap."""
    from kb.graph.stats import graph_stats
    from kb.search import Indexer, IndexStore

    settings = settings_of(ctx)
    with open_graph_cli(settings) as graph:
        nodes = graph_stats(graph).nodes
        total = nodes["Practice"] + nodes["Lesson"] + nodes["Contract"]
        progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
        )
        with progress:
            task = progress.add_task("indexing", total=total)
            indexer = Indexer(
                graph, IndexStore(settings.index_dir),
                progress=lambda done: progress.update(task, completed=done),
            )  # fmt: skip
            report = indexer.reindex()
    counts = ", ".join(f"{n} {kind}s" for kind, n in report.documents.items())
    out.print(f"indexed {counts} up to change {report.sequence} in {report.generation}")
