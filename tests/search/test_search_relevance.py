"""Relevance measured on judged queries over the seed (tests/search/judgments.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml

from kb.search import SearchService

JUDGMENTS = Path(__file__).with_name("judgments.yaml")
THRESHOLD = 0.85
K = 10


def test_judgments_cover_every_kind_of_query() -> None:
    queries = yaml.safe_load(JUDGMENTS.read_text())["queries"]
    assert len(queries) >= 30
    kinds = {q["type"] for q in queries}
    assert kinds == {"keyword", "acronym", "synonym", "question", "typo", "topic+state"}


def test_mrr_and_recall_at_10(search: SearchService) -> None:
    queries = yaml.safe_load(JUDGMENTS.read_text())["queries"]
    reciprocal_ranks: list[float] = []
    recalls: list[float] = []
    misses: list[str] = []
    for judged in queries:
        relevant = {key for key, grade in judged["relevant"].items() if grade >= 2}
        ranked = [hit.id for hit in search.search(judged["query"], first=K).hits]
        rank = next((i + 1 for i, key in enumerate(ranked) if key in relevant), None)
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        recalls.append(len(relevant & set(ranked)) / len(relevant))
        if rank != 1 or relevant - set(ranked):
            misses.append(f"  {judged['query']!r}: first relevant at {rank}, "
                          f"missing {sorted(relevant - set(ranked))}")  # fmt: skip
    mrr = sum(reciprocal_ranks) / len(queries)
    recall = sum(recalls) / len(queries)
    print(f"\nMRR@{K} = {mrr:.3f}, recall@{K} = {recall:.3f} over {len(queries)} queries")
    print("\n".join(misses))
    assert mrr >= THRESHOLD, f"MRR@{K} {mrr:.3f} is below {THRESHOLD}"
    assert recall >= THRESHOLD, f"recall@{K} {recall:.3f} is below {THRESHOLD}"
