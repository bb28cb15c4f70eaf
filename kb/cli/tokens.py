"""API commands: ``kb token create|list|revoke`` and ``kb schema`` (the SDL).

``kb schema`` lives here, with the other commands about the API, so that the CLI
package needs only one more import line.
"""

from __future__ import annotations

import click
from rich.table import Table

from kb.cli.base import fail, handle_errors, main, open_graph_cli, out, settings_of


@main.group()
def token() -> None:
    """Manage API bearer tokens (stored only as SHA-256 hashes).

    Roles: reader reads; editor writes practices, lessons and curricula and deletes what
    it created; admin also writes and deletes reference data and detaches (docs/api.md).
    Tokens are managed only here, by whoever can reach the graph: the API has no token
    mutation."""


@token.command("create")
@click.option("--name", required=True, help="Who or what uses the token.")
@click.option(
    "--role", required=True, type=click.Choice(["reader", "editor", "admin"]), help="Its role."
)
@click.pass_context
@handle_errors
def token_create(ctx: click.Context, name: str, role: str) -> None:
    """Create a token and print it once (on the last line); it cannot be shown again."""
    from kb.graph.tokens import create_token

    with open_graph_cli(settings_of(ctx)) as graph:
        try:
            created, secret = create_token(graph, name, role)
        except ValueError as error:
            fail(str(error), 2)
            return
    click.echo(
        f"created token {created.id} ({created.name}, {created.role}); keep it now:", err=True
    )
    click.echo(secret)


@token.command("list")
@click.pass_context
@handle_errors
def token_list(ctx: click.Context) -> None:
    """List tokens: id, name, role, created, revoked."""
    from kb.graph.tokens import list_tokens

    with open_graph_cli(settings_of(ctx)) as graph:
        tokens = list_tokens(graph)
    table = Table("id", "name", "role", "created", "revoked")
    for item in tokens:
        revoked = item.revoked_at.isoformat(timespec="seconds") if item.revoked_at else ""
        table.add_row(
            item.id, item.name, item.role, item.created_at.isoformat(timespec="seconds"), revoked
        )
    out.print(table)


@token.command("revoke")
@click.argument("id_or_name")
@click.pass_context
@handle_errors
def token_revoke(ctx: click.Context, id_or_name: str) -> None:
    """Revoke the live token with this id (or every live token with this name)."""
    from kb.graph.tokens import revoke_token

    with open_graph_cli(settings_of(ctx)) as graph:
        revoked = revoke_token(graph, id_or_name)
    if not revoked:
        fail(f"no live token has id or name {id_or_name!r}; see `kb token list`")
    for item in revoked:
        out.print(f"revoked {item.id} ({item.name})")


@main.command("schema")
def schema_command() -> None:
    """Print the GraphQL schema (SDL), as committed in schema/schema.graphql."""
    from kb.api.schema import schema_sdl

    click.echo(schema_sdl(), nl=False)
