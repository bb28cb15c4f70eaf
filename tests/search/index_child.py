"""A separate indexing process for the kill -9 test.

Usage: python index_child.py INDEX_DIR PAUSE_AFTER BATCH_SIZE (environment: KB_* and
NEO4J_* of the test session). Applies the change log like an app process would; in the
second batch, after PAUSE_AFTER documents (before that batch commits), it prints
"PAUSED" and waits to be killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kb.config import Settings
from kb.graph.connect import open_graph
from kb.search import Indexer, IndexStore


def main() -> None:
    root, pause_after, batch_size = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    graph = open_graph(Settings.from_env(), start=False)
    batch = 0

    def progress(written_in_batch: int) -> None:
        nonlocal batch
        if written_in_batch == 1:
            batch += 1
        if batch == 2 and written_in_batch == pause_after:
            print("PAUSED", flush=True)
            time.sleep(300)

    store = IndexStore(root)
    store.ensure()
    Indexer(graph, store, batch_size=batch_size, progress=progress).catch_up()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
