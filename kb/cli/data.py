"""Data commands: migrate, seed, stats."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from kb.cli.base import handle_errors, main, open_graph_cli, out, settings_of
from kb.cli.knowledge import bulk_errors, progress_bar
from kb.graph.batch_writes import BATCH_SIZE
from kb.graph.seed_drift import merged_drift


@main.command()
@click.pass_context
@handle_errors
def migrate(ctx: click.Context) -> None:
    """Apply the constraints and indexes in schema/*.cypher (idempotent)."""
    from kb.graph.schema import apply_schema

    with open_graph_cli(settings_of(ctx)) as graph:
        count = apply_schema(graph)
    out.print(f"schema applied: {count} statements")


@main.command()
@click.option("--dir", "directory", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Seed directory (default KB_SEED_DIR or ./seed).")  # fmt: skip
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=BATCH_SIZE,
              show_default=True, help="Records written per transaction.")  # fmt: skip
@click.pass_context
@handle_errors
def seed(ctx: click.Context, directory: Path | None, batch_size: int) -> None:
    """Validate every seed file, then load them; nothing is written if any is invalid.

    Exits 2 on invalid records, naming file, line, record, field and what is accepted.
    The seed is authoritative for what it declares: a record the graph lacks is
    created, and one that differs (a property, or a declared relationship, missing or
    changed, e.g. after the node at its other end was deleted) is written again.
    Records and relationships the seed does not declare are left alone. Prints, per
    label and relationship type, what was declared, created or restored.

    Records are written in batches; if one fails in the database, the batches before it
    are undone and the command exits 1 naming the batch. A second run changes nothing.
    """
    from kb.graph.load import load_seed, seed_size
    from kb.seed import read_seed

    settings = settings_of(ctx)
    source = directory or settings.seed_dir
    data = read_seed(source)
    # Curricula (issue 7): validated before any write; loaded after the seed they refer to.
    from kb.graph.curricula_load import load_curricula
    from kb.seed.curriculum_files import read_curricula

    curricula = read_curricula(source, data)
    # Authors and times of an export (history.csv), validated before any write too.
    from kb.graph.stamps import write_stamps
    from kb.seed.history import read_history, seed_keys

    stamps = read_history(source, seed_keys(data, curricula))
    with bulk_errors(str(source)), open_graph_cli(settings) as graph:
        with progress_bar() as bar:
            task = bar.add_task("writing", total=seed_size(data))
            report = load_seed(
                graph,
                data,
                source=str(source),
                batch_size=batch_size,
                progress=lambda rows: bar.advance(task, rows),
            )
        curricula_report = load_curricula(graph, curricula)
        if stamps:
            write_stamps(graph, stamps)
    drift = merged_drift(report.drift, curricula_report.drift)
    table = Table("label", "declared", "created", "restored", "unchanged", title="Records")
    for label, declared in drift.declared.items():
        created, restored = drift.created.get(label, 0), drift.restored.get(label, 0)
        table.add_row(
            label, *map(str, (declared, created, restored, declared - created - restored))
        )
    out.print(table)
    links = Table("relationship", "declared", "added", "removed", title="Relationships")
    for rel in sorted(drift.links_declared):
        declared = drift.links_declared[rel]
        added, removed = drift.links_added.get(rel, 0), drift.links_removed.get(rel, 0)
        links.add_row(rel, str(declared), str(added), str(removed))
    out.print(links)
    if stamps:
        out.print(f"authors and times of {len(stamps)} record(s) set from history.csv")
    out.print(f"{report.total_changed + curricula_report.total_changed} change(s) written")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.pass_context
@handle_errors
def stats(ctx: click.Context, as_json: bool) -> None:
    """Print node counts per label and relationship counts per type."""
    from kb.graph.stats import graph_stats

    with open_graph_cli(settings_of(ctx)) as graph:
        result = graph_stats(graph)
    if as_json:
        click.echo(json.dumps({"nodes": result.nodes, "relationships": result.relationships}))
        return
    nodes = Table("label", "nodes")
    for label, count in result.nodes.items():
        nodes.add_row(label, str(count))
    rels = Table("relationship", "count")
    for rel, count in result.relationships.items():
        rels.add_row(rel, str(count))
    out.print(nodes, rels)
