"""Write imported practices and lessons in one transaction, reporting progress.

The statements are ``kb.graph.load``'s own (same upsert, same ``seedHash``, same change
log); what this adds is batching inside the one transaction, so that a progress bar can
move while a long import is written. Practices go in one batch, because their
RELATED_TO and PREREQUISITE_OF links may point at each other; lessons link only to
records that exist by then, so they go in batches of :data:`BATCH`.
"""

from __future__ import annotations

from collections.abc import Callable

from kb.graph.db import Graph, Tx
from kb.graph.load import BULK_TIMEOUT, LoadReport, seed_rows, write_rows
from kb.seed.records import SeedData

BATCH = 50

#: Called with (records written so far, records in all).
Progress = Callable[[int, int], None]


def write_import(
    graph: Graph, data: SeedData, author: str = "import", progress: Progress | None = None
) -> LoadReport:
    """Write the practices and lessons of ``data``: all of them commit, or none."""
    rows = seed_rows(SeedData(practices=data.practices, lessons=data.lessons))
    batches = [{"Practice": rows["Practice"]}] if rows["Practice"] else []
    lessons = rows["Lesson"]
    batches += [{"Lesson": lessons[i : i + BATCH]} for i in range(0, len(lessons), BATCH)]
    total = len(rows["Practice"]) + len(lessons)

    def work(tx: Tx) -> LoadReport:
        report = LoadReport(seen={"Practice": 0, "Lesson": 0}, changed={"Practice": 0, "Lesson": 0})
        done = 0
        if progress is not None:
            progress(done, total)  # again from zero if the driver retries the transaction
        for batch in batches:
            part = write_rows(tx, batch, [], author)
            for label in ("Practice", "Lesson"):
                report.seen[label] += part.seen.get(label, 0)
                report.changed[label] += part.changed.get(label, 0)
            done += sum(len(batch_rows) for batch_rows in batch.values())
            if progress is not None:
                progress(done, total)
        return report

    return graph.execute_write(work, timeout=BULK_TIMEOUT)
