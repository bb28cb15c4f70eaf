"""Finish what interrupted bulk writes left behind, before another one starts.

A process killed in the middle of an import or a seed leaves an ``Import`` node (see
:mod:`kb.graph.journal`). Its batches must be undone before anything else is imported:
a later import that found those records would build on them (or skip them as
unchanged), and a rollback afterwards would take them away from under it. So every
bulk write first calls :func:`recover_imports`:

- a ``committed`` write only left garbage: its journal is deleted;
- a ``failed`` write, or a ``writing`` one whose process is gone (same host, no such
  process) or silent for longer than ``stale_after`` seconds, is rolled back;
- a ``writing`` write that may still be alive stops the new one with
  :class:`ImportInProgressError`: one bulk write at a time.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from kb.graph.db import Graph
from kb.graph.journal import forget, roll_back

#: Seconds without a heartbeat after which a writing import on another host is dead.
STALE_AFTER = 900.0


@dataclass(frozen=True)
class UnfinishedImport:
    """An ``Import`` node still in the graph."""

    id: str
    kind: str
    source: str
    status: str
    host: str
    pid: int
    silent_for: float  # seconds since its last heartbeat

    def describe(self) -> str:
        return (
            f"{self.kind} {self.id} of {self.source} (pid {self.pid} on {self.host}, "
            f"last batch {self.silent_for:.0f} s ago)"
        )


class ImportInProgressError(RuntimeError):
    """Another import or seed is writing; one bulk write runs at a time."""


def unfinished_imports(graph: Graph) -> list[UnfinishedImport]:
    """Every ``Import`` node, oldest first."""
    rows = graph.read(
        "MATCH (i:Import) RETURN i.id AS id, i.kind AS kind, i.source AS source, "
        "i.status AS status, i.host AS host, i.pid AS pid, "
        "duration.inSeconds(i.heartbeat, datetime()).seconds AS silent ORDER BY i.startedAt"
    )
    return [
        UnfinishedImport(
            r["id"], r["kind"], r["source"], r["status"], r["host"], r["pid"], float(r["silent"])
        )
        for r in rows
    ]


def _alive(item: UnfinishedImport, stale_after: float) -> bool:
    if item.silent_for > stale_after:
        return False
    if item.host != socket.gethostname():
        return True  # cannot tell: trust the heartbeat
    if item.pid == os.getpid():
        return False  # this process runs one bulk write at a time: a leftover
    try:
        os.kill(item.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_imports(
    graph: Graph, stale_after: float = STALE_AFTER, author: str = "import-rollback"
) -> list[str]:
    """Clean up or roll back every dead bulk write; returns one line per action.

    Raises:
        ImportInProgressError: another bulk write may still be running.
    """
    done: list[str] = []
    for item in unfinished_imports(graph):
        if item.status == "committed":
            forget(graph, item.id)
            done.append(f"cleaned up after the committed {item.describe()}")
        elif item.status == "failed" or not _alive(item, stale_after):
            outcome = roll_back(graph, item.id, author)
            done.append(f"{outcome} the interrupted {item.describe()}")
        else:
            raise ImportInProgressError(
                f"another bulk write is in progress: {item.describe()}; wait for it to "
                f"finish (it is taken for dead after {stale_after:.0f} s without a batch)"
            )
    return done
