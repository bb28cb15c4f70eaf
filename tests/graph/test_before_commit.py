"""``Tx.before_commit``: work a write transaction runs last, inside it, before it commits
(the property recount of kb/graph/property_counts.py is asked for this way): once per
key, after the transaction's own work, and not at all when that work fails."""

from __future__ import annotations

import pytest

from kb.graph.db import Graph, Tx


def _count(graph: Graph) -> int:
    return int(graph.read("MATCH (n:Probe) RETURN count(n) AS n")[0]["n"])


def test_the_work_runs_once_per_key_after_the_transaction_s_own(graph: Graph) -> None:
    seen: list[int] = []

    def work(tx: Tx) -> str:
        tx.run("CREATE (:Probe {at: 'work'})")
        for _ in range(3):  # asked three times, run once
            tx.before_commit.setdefault("probe", last)
        return "done"

    def last(tx: Tx) -> None:
        # Inside the same transaction: it sees the work's node before the commit.
        seen.append(int(tx.run("MATCH (n:Probe) RETURN count(n) AS n")[0]["n"]))
        tx.before_commit.setdefault("more", more)

    def more(tx: Tx) -> None:
        tx.run("CREATE (:Probe {at: 'more'})")

    assert graph.execute_write(work) == "done"
    assert seen == [1]
    assert _count(graph) == 2  # the work asked for more work: it ran too


def test_nothing_runs_or_commits_when_the_work_fails(graph: Graph) -> None:
    ran: list[str] = []

    def work(tx: Tx) -> None:
        tx.run("CREATE (:Probe)")
        tx.before_commit.setdefault("probe", lambda t: ran.append("last"))
        raise ValueError("the work's own error")

    with pytest.raises(ValueError, match="the work's own error"):
        graph.execute_write(work)
    assert ran == []
    assert _count(graph) == 0


def test_a_failure_of_the_last_work_rolls_the_transaction_back(graph: Graph) -> None:
    def work(tx: Tx) -> None:
        tx.run("CREATE (:Probe)")
        tx.before_commit.setdefault("probe", boom)

    def boom(tx: Tx) -> None:
        tx.run("RETURN 1 / 0 AS boom")

    with pytest.raises(Exception, match=r"/ by zero|division"):
        graph.execute_write(work)
    assert _count(graph) == 0
