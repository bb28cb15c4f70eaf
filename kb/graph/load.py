"""Write validated seed records to the graph, idempotently, in batches.

Each node carries ``seedHash``, a digest of its properties and outgoing links as the
seed states them. A record whose digest is unchanged is skipped entirely, so a second
load changes nothing (``updatedAt`` included); a changed record has its properties set,
its links replaced and a change entry recorded, in the same transaction. The batches
commit all or nothing through the undo journal of :mod:`kb.graph.batch_writes`.

This module orders and runs the load; the rows come from :mod:`kb.graph.load_rows` and
the Cypher that writes them is in :mod:`kb.graph.load_writes` (their public names are
importable from here too).

Example:
    >>> report = load_seed(graph, read_seed(Path("seed")))
    >>> report.seen["State"]
    56
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from kb.domain.records import SeedData
from kb.graph.batch_writes import BATCH_TIMEOUT, Batch, write_batches
from kb.graph.db import Graph
from kb.graph.journal import MEMBERSHIP
from kb.graph.load_rows import TERM_PROPERTIES, membership_rows, seed_rows
from kb.graph.load_writes import KEYS, LoadReport, clear_links, write_rows
from kb.graph.seed_drift import mark_forced, seed_drift

__all__ = [
    "BULK_TIMEOUT",
    "KEYS",
    "TERM_PROPERTIES",
    "LoadReport",
    "clear_links",
    "load_seed",
    "membership_rows",
    "seed_batches",
    "seed_rows",
    "seed_size",
    "write_rows",
]

#: Seconds a bulk read (an export, a reindex) may take in its single transaction.
BULK_TIMEOUT = 600.0

#: Labels whose records link to records of the same label (written in one batch).
_SELF_LINKED = frozenset({"Alliance", "Category", "Practice"})


def seed_batches(
    data: SeedData, batch_size: int, force: Mapping[str, set[str]] | None = None
) -> Iterator[Batch]:
    """The seed as batches, in an order that lets every link find its target: labels as
    in :data:`KEYS`, then memberships. Alliances, categories and practices link to
    records of their own label, so each of those labels goes in a single batch. The
    keys in ``force`` (per label) are rewritten even when their ``seedHash`` matches."""
    rows: dict[str, list[dict[str, Any]]] = {**seed_rows(data), MEMBERSHIP: membership_rows(data)}
    for label, keys in (force or {}).items():
        mark_forced(rows.get(label, []), keys, membership=label == MEMBERSHIP)
    for label, label_rows in rows.items():
        size = max(len(label_rows), 1) if label in _SELF_LINKED else batch_size
        for start in range(0, len(label_rows), size):
            part = label_rows[start : start + size]
            yield Batch(label, part, f"{label} records {start + 1}-{start + len(part)}")


def load_seed(
    graph: Graph,
    data: SeedData,
    author: str = "seed",
    *,
    source: str = "the seed",
    batch_size: int = 1000,
    batch_timeout: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Write ``data`` to the graph in batches, all or nothing. The seed is authoritative
    for what it declares: a record is rewritten when the graph differs from it (a
    property or a declared link missing or changed, see :mod:`kb.graph.seed_drift`),
    and skipped otherwise. ``progress`` is called with the rows of each batch written
    (out of :func:`seed_size`).

    Raises:
        kb.graph.batch_writes.BulkWriteError: a batch failed; nothing of this load remains.
    """
    drift = seed_drift(graph, data)
    written = write_batches(
        graph,
        seed_batches(data, batch_size, drift.force),
        source=source,
        kind="seed",
        author=author,
        batch_timeout=batch_timeout or BATCH_TIMEOUT,
        progress=progress,
    )
    rows = seed_rows(data)
    report = LoadReport(
        seen={label: len(rows[label]) for label in KEYS},
        changed={label: written.changed.get(label, 0) for label in KEYS},
        memberships_changed=written.memberships_changed,
        created={label: written.created.get(label, 0) for label in KEYS},
        drift=drift,
    )
    return report


def seed_size(data: SeedData) -> int:
    """How many rows :func:`load_seed` writes (records and memberships)."""
    return sum(len(rows) for rows in seed_rows(data).values()) + len(data.memberships)
