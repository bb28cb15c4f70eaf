"""`kb token create|list|revoke` against the test Neo4j."""

from __future__ import annotations

from click.testing import CliRunner

from kb.cli import main
from kb.graph.db import Graph
from kb.graph.tokens import find_token, hash_secret


def test_token_create_list_revoke(graph: Graph, test_env: dict[str, str]) -> None:
    runner = CliRunner()
    created = runner.invoke(
        main, ["token", "create", "--name", "ci", "--role", "editor"], env=test_env
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("kb_")
    stored = graph.read("MATCH (t:ApiToken) RETURN t.hash AS hash, t.role AS role")
    assert stored == [{"hash": hash_secret(secret), "role": "editor"}]
    token = find_token(graph, secret)
    assert token is not None and token.name == "ci"

    listed = runner.invoke(main, ["token", "list"], env=test_env)
    assert listed.exit_code == 0 and token.id in listed.output and secret not in listed.output

    revoked = runner.invoke(main, ["token", "revoke", token.id], env=test_env)
    assert revoked.exit_code == 0 and f"revoked {token.id}" in revoked.output
    assert find_token(graph, secret) is None
    again = runner.invoke(main, ["token", "revoke", token.id], env=test_env)
    assert again.exit_code == 1


def test_token_create_rejects_unknown_role(test_env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["token", "create", "--name", "x", "--role", "root"], env=test_env
    )
    assert result.exit_code == 2
    assert "'root' is not one of" in result.output
