"""Knowledge commands: check-seed, import, export."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table

from kb.cli.base import err, fail, handle_errors, main, open_graph_cli, out, settings_of
from kb.graph.batch_writes import BATCH_SIZE, BATCH_TIMEOUT


def progress_bar() -> Progress:
    """The bar of long commands, drawn on stderr (stdout keeps the result)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        console=err,
    )


@contextmanager
def bulk_errors(source: str) -> Iterator[None]:
    """One line and exit 1 for a database failure of an import or seed, never a
    traceback: the batch writer's own message, or the driver's, naming ``source``."""
    from neo4j.exceptions import DriverError, Neo4jError

    from kb.graph.batch_writes import BulkWriteError, describe
    from kb.graph.recovery import ImportInProgressError

    try:
        yield
    except (BulkWriteError, ImportInProgressError) as error:
        fail(str(error))
    except (Neo4jError, DriverError) as error:
        fail(f"{source}: nothing was written: Neo4j failed: {describe(error)}")


def _count(value: int) -> str:
    return str(value) if value else "[bold red]0[/]"


@main.command("check-seed")
@click.option("--dir", "directory", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Seed directory (default KB_SEED_DIR or ./seed).")  # fmt: skip
@click.pass_context
@handle_errors
def check_seed(ctx: click.Context, directory: Path | None) -> None:
    """Validate the seed and print its coverage; no database is needed.

    Prints, per jurisdiction, alliance, contract and category, how many practices and
    lessons refer to it; per kind, how many records are sourced and how many
    illustrative; and the prerequisite chains. Exits 1 naming each record that
    breaks a coverage rule, 2 on invalid records (as `kb seed` does), 0 otherwise.
    """
    from kb.seed import read_seed
    from kb.seed.coverage import provenance_counts, seed_coverage

    data = read_seed(directory or settings_of(ctx).seed_dir)
    coverage = seed_coverage(data)
    table = Table("kind", "key", "name", "practices", "lessons", title="Seed coverage")
    for row, following in zip(coverage.rows, [*coverage.rows[1:], None], strict=True):
        practices = _count(row.practices) if row.kind == "category" else str(row.practices)
        lessons = _count(row.lessons) if row.kind in ("alliance", "contract") else str(row.lessons)
        if row.kind == "jurisdiction" and row.practices + row.lessons == 0:
            practices, lessons = _count(0), _count(0)
        last = following is None or following.kind != row.kind
        table.add_row(row.kind, row.key, row.name, practices, lessons, end_section=last)
    out.print(table)
    sources = Table("kind", "records", "sourced", "illustrative", title="Where the facts come from")
    for count in provenance_counts(data):
        sources.add_row(count.kind, str(count.total), str(count.sourced), str(count.illustrative))
    out.print(sources)
    out.print(f"{len(data.practices)} practices, {len(data.lessons)} lessons; prerequisite chains:")
    for chain in coverage.chains:
        out.print(f"  {' -> '.join(chain)}", highlight=False, soft_wrap=True)
    if not coverage.ok:
        for failure in coverage.failures:
            err.print(f"[bold red]coverage:[/] {failure}", highlight=False, soft_wrap=True)
        err.print(f"{len(coverage.failures)} coverage rule failure(s)")
        sys.exit(1)
    out.print("every coverage rule holds")


@main.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@click.option("--update", is_flag=True,
              help="Replace records whose id or slug is already in the graph "
                   "(default: reject the import).")  # fmt: skip
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=BATCH_SIZE,
              show_default=True, help="Records written per transaction.")  # fmt: skip
@click.option("--batch-timeout", type=click.FloatRange(1, 3600), default=BATCH_TIMEOUT,
              show_default=True, help="Seconds before Neo4j aborts a batch.")  # fmt: skip
@click.pass_context
@handle_errors
def import_(
    ctx: click.Context, path: Path, update: bool, batch_size: int, batch_timeout: float
) -> None:
    """Import lessons from a CSV, JSON Lines or YAML file, or lessons and practices from
    a folder of Markdown files with front matter.

    Every record is validated as the seed is, against the keys in the graph and in the
    file, before anything is written; if any is invalid nothing is written and the
    command exits 2, naming file, line, record and field of each problem. Then the
    records are written in batches; if one fails in the database, the batches before
    it are undone and the command exits 1 naming the file and the lines of the batch.
    CSV list cells are separated by ';'. See docs/data.md.
    """
    from kb.seed.imports import import_file

    with bulk_errors(str(path)), open_graph_cli(settings_of(ctx)) as graph, progress_bar() as bar:
        tasks = {
            "read": bar.add_task("validating", total=None),
            "write": bar.add_task("writing", total=None, visible=False),
        }

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(tasks[stage], completed=done, total=total, visible=True)

        result = import_file(
            graph,
            path,
            update=update,
            progress=progress,
            batch_size=batch_size,
            batch_timeout=batch_timeout,
        )
    out.print(
        f"imported {result.practices} practice(s) and {result.lessons} lesson(s) from "
        f"{result.source}: {result.created} new, {result.replaced} replaced, "
        f"{result.unchanged} unchanged",
        highlight=False,
        soft_wrap=True,
    )


@main.command("export")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.pass_context
@handle_errors
def export(ctx: click.Context, directory: Path) -> None:
    """Write the whole graph into DIRECTORY (new or empty) in the seed's own formats:
    states, alliances, memberships, categories, contracts, practices, lessons,
    certifications with their domains, TEACHES links and curricula, and in
    history.csv who created and last changed each record, and when (tokens never).

    `kb seed --dir DIRECTORY` loads it back into an empty graph as the same graph, and
    exporting that graph again writes the same files, byte for byte.
    """
    from kb.graph.curricula_export import read_curricula_seed
    from kb.graph.export import read_graph
    from kb.graph.stamps import read_stamps
    from kb.seed.curriculum_export import write_curricula
    from kb.seed.export import ExportError, check_target, export_count, write_seed
    from kb.seed.history import write_history

    try:
        check_target(directory)
    except ExportError as error:
        fail(str(error))
    with open_graph_cli(settings_of(ctx)) as graph:
        data = read_graph(graph)
        curricula = read_curricula_seed(graph)
        stamps = read_stamps(graph)
    with progress_bar() as bar:
        task = bar.add_task("writing", total=export_count(data) + 4)
        try:
            files = write_seed(data, directory, progress=lambda _: bar.advance(task))
        except ExportError as error:
            fail(str(error))
        files += write_curricula(curricula, data, directory)
        files.append(write_history(stamps, directory))
        bar.advance(task, 4)
    out.print(
        f"exported {len(data.states)} states, {len(data.alliances)} alliances, "
        f"{len(data.memberships)} memberships, {len(data.categories)} categories, "
        f"{len(data.contracts)} contracts, {len(data.practices)} practices, "
        f"{len(data.lessons)} lessons, {len(curricula.certifications)} certifications and "
        f"frameworks, {len(curricula.teachings)} TEACHES links and "
        f"{len(curricula.curricula)} curricula to {directory} ({len(files)} files)",
        highlight=False,
        soft_wrap=True,
    )
