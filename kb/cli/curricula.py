"""Curriculum commands: ``kb curriculum list`` and ``kb curriculum export``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from kb.cli.base import fail, handle_errors, main, open_graph_cli, out, settings_of


@main.group()
def curriculum() -> None:
    """Curricula for training staff: list them, export one."""


@curriculum.command("list")
@click.pass_context
@handle_errors
def list_command(ctx: click.Context) -> None:
    """List the curricula: key, title, level, modules and items."""
    from kb.graph.curriculum_store import list_curricula

    with open_graph_cli(settings_of(ctx)) as graph:
        total, records = list_curricula(graph, 0, 1000)
    table = Table("key", "title", "level", "modules", "items")
    for r in records:
        table.add_row(
            r.key,
            r.plan.title,
            r.plan.level.lower(),
            str(len(r.plan.modules)),
            str(len(r.plan.items())),
        )
    out.print(table)
    out.print(f"{total} curricula")


@curriculum.command("export")
@click.argument("key")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html"]),
    default="md",
    show_default=True,
    help="Markdown, or a printable HTML page.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file instead of standard output.",
)
@click.pass_context
@handle_errors
def export_command(ctx: click.Context, key: str, fmt: str, output: Path | None) -> None:
    """Export curriculum KEY: objectives, items with summaries and sources, order
    warnings and coverage. Exits 1 when there is no such curriculum."""
    from kb.curricula.export import CurriculumNotFoundError, export_curriculum

    with open_graph_cli(settings_of(ctx)) as graph:
        try:
            text = export_curriculum(graph, key, fmt)
        except CurriculumNotFoundError as error:
            fail(f"{error}; `kb curriculum list` shows the keys")
            return
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")
