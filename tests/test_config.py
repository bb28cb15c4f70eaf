"""Settings from the environment: defaults, and bad values named with what is accepted."""

from __future__ import annotations

import pytest

from kb.config import NEO4J_VERSION, ConfigError, Settings


def test_defaults_use_the_managed_neo4j() -> None:
    settings = Settings.from_env({})
    assert settings.external_neo4j is None
    assert settings.port == 8000
    assert settings.host == "127.0.0.1"
    assert settings.neo4j_version == NEO4J_VERSION
    assert settings.public_read is True
    assert settings.production is False


def test_neo4j_uri_selects_an_external_server() -> None:
    settings = Settings.from_env(
        {
            "NEO4J_URI": "neo4j+s://db.example:7687",
            "NEO4J_USER": "kb",
            "NEO4J_PASSWORD": "pw",
            "NEO4J_DATABASE": "procurement",
        }
    )
    assert settings.external_neo4j is not None
    assert settings.external_neo4j.uri == "neo4j+s://db.example:7687"
    assert settings.external_neo4j.database == "procurement"
    assert "pw" not in repr(settings.external_neo4j)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KB_PORT": "eighty"}, "KB_PORT='eighty' is not an integer"),
        ({"KB_PORT": "70000"}, "KB_PORT='70000' is out of range; expected 0..65535"),
        ({"KB_PUBLIC_READ": "maybe"}, "KB_PUBLIC_READ='maybe' is not a boolean; use true or false"),
        (
            {"KB_ENV": "prod"},
            "KB_ENV='prod' is not accepted; expected one of development, production",
        ),
        ({"KB_NEO4J_HEAP": "lots"}, "KB_NEO4J_HEAP='lots' is not a memory size"),
        (
            {"NEO4J_URI": "http://localhost:7474"},
            "NEO4J_URI='http://localhost:7474' is not a Bolt URI",
        ),
        ({"KB_TX_TIMEOUT": "0"}, "KB_TX_TIMEOUT='0' is out of range"),
        ({"KB_WEBHOOK_ATTEMPTS": "0"}, "KB_WEBHOOK_ATTEMPTS='0' is out of range; expected 1..100"),
        (
            {"KB_WEBHOOK_TIMEOUT": "10", "KB_WEBHOOK_LEASE": "10"},
            "KB_WEBHOOK_LEASE=10 must be longer than KB_WEBHOOK_TIMEOUT=10",
        ),
        ({"KB_WEBHOOK_LOOPBACK_ONLY": "sure"}, "KB_WEBHOOK_LOOPBACK_ONLY='sure' is not a boolean"),
    ],
)
def test_bad_values_name_the_variable_and_what_is_accepted(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert message in str(caught.value)


def test_webhook_settings_default_to_production_values() -> None:
    settings = Settings.from_env({})
    assert (settings.webhook_worker, settings.webhook_loopback_only) == (True, False)
    assert (settings.webhook_timeout, settings.webhook_attempts) == (5.0, 8)
    assert (settings.webhook_backoff, settings.webhook_backoff_max) == (1.0, 300.0)
    quick = Settings.from_env({"KB_WEBHOOKS": "false", "KB_WEBHOOK_BACKOFF": "0.05"})
    assert quick.webhook_worker is False and quick.webhook_backoff == 0.05
