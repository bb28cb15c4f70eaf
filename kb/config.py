"""Settings, read once from the environment.

Every variable is listed in the README. A bad value raises :class:`ConfigError` naming
the variable, the value and what would be accepted.

Example:
    >>> settings = Settings.from_env({"KB_PORT": "8080"})
    >>> settings.port
    8080
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The Neo4j release the managed local server runs (Community 5.26 LTS, exact patch).
NEO4J_VERSION = "5.26.30"

_MEMORY = re.compile(r"^[1-9][0-9]*[kmg]$")


class ConfigError(ValueError):
    """An environment variable holds a value the application cannot use."""


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean; use true or false")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={raw!r} is out of range; expected {low}..{high}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={raw!r} is out of range; expected {low}..{high}")
    return value


def _memory(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name) or default
    if not _MEMORY.match(raw):
        raise ConfigError(f"{name}={raw!r} is not a memory size; expected e.g. 512m or 1g")
    return raw


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name) or default
    if raw not in choices:
        raise ConfigError(f"{name}={raw!r} is not accepted; expected one of {', '.join(choices)}")
    return raw


@dataclass(frozen=True)
class Neo4jTarget:
    """An external Neo4j server given by ``NEO4J_URI`` (nothing is started locally)."""

    uri: str
    user: str
    password: str = field(repr=False)
    database: str


@dataclass(frozen=True)
class Settings:
    """Application settings. Build with :meth:`from_env`."""

    data_dir: Path
    cache_dir: Path
    seed_dir: Path
    index_dir: Path
    external_neo4j: Neo4jTarget | None
    neo4j_database: str
    neo4j_version: str
    neo4j_heap: str
    neo4j_pagecache: str
    neo4j_start_timeout: float
    #: The managed server's Bolt port (None: chosen once per data directory and kept).
    neo4j_port: int | None
    #: How the app reaches the managed server: ``bolt`` (direct) or ``neo4j`` (routing,
    #: as a cluster or Aura is reached).
    neo4j_scheme: str
    tx_timeout: float
    host: str
    port: int
    env: str
    public_read: bool
    response_cache: int = 512
    #: Seconds a GraphQL request may run (waiting for a slot included) before it is stopped.
    request_budget: float = 10.0
    #: Cost (see kb/api/costs.py) from which a request counts as expensive.
    expensive_cost: int = 2000
    #: Expensive requests run at once; more wait (within their budget) or are refused.
    expensive_requests: int = 2
    #: Worker threads for Whoosh searches and path searches (apart from other reads').
    expensive_threads: int = 2
    #: The query planner (kb/api/planner.py): ``on`` answers plannable reads with one
    #: Cypher statement per root field, ``off`` executes every field, ``check`` does
    #: both and fails on a difference (what the test suite runs).
    planner: str = "on"
    #: Planned reads sent from the event loop through the driver's AsyncDriver
    #: (kb/graph/async_reads.py) rather than from a worker thread.
    async_reads: bool = True
    #: GraphQL operations per minute per client (a token, else an address), over HTTP
    #: and WebSocket alike (kb/api/client_limits.py); 0: no limit.
    rate_limit: int = 0
    #: Subscriptions one client may hold open at once (the process holds at most 200).
    subscriptions_per_client: int = 10
    #: Webhooks (kb/api/webhook_delivery.py): whether this process delivers them, the
    #: POST timeout, attempts before a delivery FAILS (and pauses its webhook), the first
    #: retry's delay and the cap of the doubling delays, how often the change log is
    #: looked at, and how long a process's lease on a webhook lasts (longer than a POST).
    webhook_worker: bool = True
    webhook_timeout: float = 5.0
    webhook_attempts: int = 8
    webhook_backoff: float = 1.0
    webhook_backoff_max: float = 300.0
    webhook_poll: float = 1.0
    webhook_lease: float = 30.0
    #: Refuse webhook URLs whose host is not a loopback address (the test suite).
    webhook_loopback_only: bool = False
    #: One log line per HTTP request (uvicorn's access log); costs about a tenth of the
    #: event loop's time on a small read (bench/api/README.md).
    access_log: bool = True

    @property
    def neo4j_home(self) -> Path:
        """Where the managed local Neo4j keeps its configuration, data and logs."""
        return self.data_dir / "neo4j"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``env`` (default: ``os.environ``)."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("KB_DATA_DIR") or PROJECT_ROOT / ".kb-data").expanduser()
        cache_default = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kb"
        cache_dir = Path(env.get("KB_CACHE_DIR") or cache_default).expanduser()
        seed_dir = Path(env.get("KB_SEED_DIR") or PROJECT_ROOT / "seed").expanduser()
        index_dir = Path(env.get("KB_INDEX_DIR") or data_dir / "index").expanduser()
        database = env.get("NEO4J_DATABASE") or "neo4j"
        external = None
        uri = env.get("NEO4J_URI")
        if uri:
            if not re.match(r"^(bolt|neo4j)(\+s|\+ssc)?://", uri):
                raise ConfigError(
                    f"NEO4J_URI={uri!r} is not a Bolt URI; expected bolt://, neo4j://, "
                    "bolt+s://, neo4j+s:// (or +ssc)"
                )
            external = Neo4jTarget(
                uri=uri,
                user=env.get("NEO4J_USER") or "neo4j",
                password=env.get("NEO4J_PASSWORD") or "",
                database=database,
            )
        return cls(
            data_dir=data_dir.resolve(),
            cache_dir=cache_dir.resolve(),
            seed_dir=seed_dir.resolve(),
            index_dir=index_dir.resolve(),
            external_neo4j=external,
            neo4j_database=database,
            neo4j_version=env.get("KB_NEO4J_VERSION") or NEO4J_VERSION,
            neo4j_heap=_memory(env, "KB_NEO4J_HEAP", "512m"),
            neo4j_pagecache=_memory(env, "KB_NEO4J_PAGECACHE", "128m"),
            neo4j_start_timeout=_float(env, "KB_NEO4J_START_TIMEOUT", 120.0, 5.0, 3600.0),
            neo4j_port=_int(env, "KB_NEO4J_PORT", 0, 0, 65535) or None,
            neo4j_scheme=_choice(env, "KB_NEO4J_SCHEME", "bolt", ("bolt", "neo4j")),
            tx_timeout=_float(env, "KB_TX_TIMEOUT", 10.0, 0.1, 3600.0),
            host=env.get("KB_HOST") or "127.0.0.1",
            port=_int(env, "KB_PORT", 8000, 0, 65535),
            env=_choice(env, "KB_ENV", "development", ("development", "production")),
            public_read=_bool(env, "KB_PUBLIC_READ", True),
            access_log=_bool(env, "KB_ACCESS_LOG", True),
            response_cache=_int(env, "KB_RESPONSE_CACHE", 512, 0, 1_000_000),
            request_budget=_float(env, "KB_REQUEST_BUDGET", 10.0, 0.01, 3600.0),
            expensive_cost=_int(env, "KB_EXPENSIVE_COST", 2000, 1, 1_000_000_000),
            expensive_requests=_int(env, "KB_EXPENSIVE_REQUESTS", 2, 1, 1000),
            expensive_threads=_int(env, "KB_EXPENSIVE_THREADS", 2, 1, 1000),
            planner=_choice(env, "KB_PLANNER", "on", ("off", "on", "check")),
            async_reads=_bool(env, "KB_ASYNC_READS", True),
            rate_limit=_int(env, "KB_RATE_LIMIT", 0, 0, 1_000_000),
            subscriptions_per_client=_int(env, "KB_SUBSCRIPTIONS_PER_CLIENT", 10, 1, 10_000),
            **_webhook_settings(env),
        )


def _webhook_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The ``KB_WEBHOOK*`` settings; the lease must outlast one delivery's POST."""
    timeout = _float(env, "KB_WEBHOOK_TIMEOUT", 5.0, 0.1, 120.0)
    lease = _float(env, "KB_WEBHOOK_LEASE", 30.0, 1.0, 3600.0)
    if lease <= timeout:
        raise ConfigError(
            f"KB_WEBHOOK_LEASE={lease:g} must be longer than KB_WEBHOOK_TIMEOUT={timeout:g}: "
            "a lease that ends during a POST would let another process deliver the same entry"
        )
    return {
        "webhook_worker": _bool(env, "KB_WEBHOOKS", True),
        "webhook_timeout": timeout,
        "webhook_attempts": _int(env, "KB_WEBHOOK_ATTEMPTS", 8, 1, 100),
        "webhook_backoff": _float(env, "KB_WEBHOOK_BACKOFF", 1.0, 0.01, 3600.0),
        "webhook_backoff_max": _float(env, "KB_WEBHOOK_BACKOFF_MAX", 300.0, 0.01, 86400.0),
        "webhook_poll": _float(env, "KB_WEBHOOK_POLL", 1.0, 0.05, 3600.0),
        "webhook_lease": lease,
        "webhook_loopback_only": _bool(env, "KB_WEBHOOK_LOOPBACK_ONLY", False),
    }
