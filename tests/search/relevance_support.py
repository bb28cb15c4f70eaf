"""The relevance harness: held-out lessons in through the API, queries out through it,
graded metrics per query type, and a plain BM25 peer over the same documents.

What it does, in the order a run does it:

1. :func:`import_lessons` creates each held-out lesson (tests/search/heldout/*.yaml)
   with the ``createLesson`` mutation, its category as a tag and its state as a link,
   as the team's own held-out run does; the seed stays in the index as distractors.
2. :func:`api_rankings` runs every judged query through
   ``search(query:, first: 10) { hits { key } }`` over the app's HTTP interface.
3. :class:`PlainBM25` indexes the same documents (read back from the graph) in a Whoosh
   index of its own: BM25F, an OR group, stemming and a title boost, nothing else.
4. :func:`evaluate` gives MRR@10, nDCG@10 and recall@10 per query type and overall.

Judged files: ``judgments.yaml`` (written with the vocabulary, tuning may read it) and
``judgments_blind.yaml`` to ``judgments_blind4.yaml`` (each written before any engine
run on its lessons; nothing that tunes reads them).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.scoring import BM25F

from kb.api.ids import encode_id
from kb.config import PROJECT_ROOT
from kb.graph.db import Graph
from kb.graph.search_docs import INDEXED_LABELS, read_documents
from kb.search.documents import document_fields

HERE = Path(__file__).parent
#: Every held-out batch; all are imported in one run, so each is a distractor for the others.
HELD_OUT = (
    HERE / "heldout" / "lessons.yaml",
    HERE / "heldout" / "lessons_blind2.yaml",
    HERE / "heldout" / "lessons_blind3.yaml",
    HERE / "heldout" / "lessons_blind4.yaml",
)
#: The development batch's lessons: imported only with ``KB_RELEVANCE_DEV=1`` (see
#: tests/search/README.md: with them as distractors judgments_blind.yaml falls below the floor).
DEV_HELD_OUT = (
    HERE / "heldout" / "lessons_dev1.yaml",
    HERE / "heldout" / "lessons_dev2.yaml",
    HERE / "heldout" / "lessons_dev3.yaml",
)
#: The sixth blind batch's lessons: imported only with ``KB_RELEVANCE_BLIND5=1`` until its
#: first runs are on record (tests/search/README.md).
BLIND5_HELD_OUT = (HERE / "heldout" / "lessons_blind5.yaml",)
#: The seventh blind batch's lessons: imported only with ``KB_RELEVANCE_BLIND6=1`` until
#: its first runs are on record (tests/search/README.md).
BLIND6_HELD_OUT = (HERE / "heldout" / "lessons_blind6.yaml",)
JUDGED = HERE / "judgments.yaml"
#: A development batch: new lessons and queries written before any engine run, whose
#: misses (unlike the blind files') may be read when tuning.
DEV1 = HERE / "judgments_dev1.yaml"
#: A second development batch, likewise (written 2026-12-07, before any engine run).
DEV2 = HERE / "judgments_dev2.yaml"
#: A third, of every query type (written 2026-12-08, before any engine run).
DEV3 = HERE / "judgments_dev3.yaml"
#: The files whose misses tuning may read.
TUNING_FILES = (JUDGED, DEV1, DEV2, DEV3)
BLIND = HERE / "judgments_blind.yaml"
BLIND2 = HERE / "judgments_blind2.yaml"
BLIND3 = HERE / "judgments_blind3.yaml"
BLIND4 = HERE / "judgments_blind4.yaml"
BLIND5 = HERE / "judgments_blind5.yaml"
BLIND6 = HERE / "judgments_blind6.yaml"
#: The blind files (written before any engine run on their lessons; tuning never reads them).
BLIND_FILES = (BLIND, BLIND2, BLIND3, BLIND4, BLIND5, BLIND6)
CATEGORIES = PROJECT_ROOT / "seed" / "categories.csv"
K = 10
#: Grades at or above this count as relevant for MRR and recall (nDCG uses every grade).
RELEVANT = 2

CREATE_LESSON = """mutation($input: CreateLessonInput!) {
  createLesson(input: $input) { lesson { key } } }"""
SEARCH = """query($q: String!) { search(query: $q, first: 10) { hits { key title } } }"""

#: POST a GraphQL document with variables; returns the response body.
Post = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class Judged:
    """One graded query: grades by record key (slug or lesson id)."""

    query: str
    type: str
    grades: dict[str, int]

    @property
    def relevant(self) -> set[str]:
        return {key for key, grade in self.grades.items() if grade >= RELEVANT}


def load_judged(path: Path) -> list[Judged]:
    """The graded queries of one judgments file."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
    return [Judged(str(r["query"]), str(r["type"]), dict(r["relevant"])) for r in rows]


def held_out_lessons(extra: tuple[Path, ...] = ()) -> list[dict[str, Any]]:
    """The held-out lessons of every batch as written (id, title, state, category, text),
    and those of the opt-in batches ``extra`` (:data:`DEV_HELD_OUT`,
    :data:`BLIND5_HELD_OUT`, :data:`BLIND6_HELD_OUT`)."""
    lessons: list[dict[str, Any]] = []
    for path in HELD_OUT + extra:
        lessons.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["lessons"])
    return lessons


def category_names() -> dict[str, str]:
    with CATEGORIES.open(encoding="utf-8") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def import_lessons(post: Post, extra: tuple[Path, ...] = ()) -> int:
    """Create every held-out lesson (and those of the opt-in batches ``extra``) through
    ``createLesson``; the number created."""
    names = category_names()
    created = 0
    for lesson in held_out_lessons(extra):
        payload = {
            "key": lesson["id"],
            "title": lesson["title"],
            "context": lesson["context"],
            "lesson": lesson["lesson"],
            "recommendation": lesson["recommendation"],
            "status": "LESSON_LEARNED",
            "tags": [names[lesson["category"]]],
            "state": encode_id("State", lesson["state"]),
            "illustrative": True,
        }
        body = post(CREATE_LESSON, {"input": payload})
        if body.get("errors"):
            raise AssertionError(f"createLesson {lesson['id']}: {body['errors']}")
        created += 1
    return created


def api_rankings(post: Post, queries: Iterable[str]) -> dict[str, list[str]]:
    """Query -> the keys of its first ten hits, as the API returns them."""
    rankings: dict[str, list[str]] = {}
    for query in queries:
        body = post(SEARCH, {"q": query})
        if body.get("errors"):
            raise AssertionError(f"search {query!r}: {body['errors']}")
        rankings[query] = [hit["key"] for hit in body["data"]["search"]["hits"]]
    return rankings


class PlainBM25:
    """The peer: a plain Whoosh BM25F (OR group, stemming, title boost) over the same
    documents as the product's index; no synonyms, no typo handling, no graph."""

    TITLE_BOOST = 2.0

    def __init__(self, graph: Graph, directory: Path) -> None:
        analyzer = StemmingAnalyzer()
        schema = Schema(
            key=ID(stored=True, unique=True),
            title=TEXT(analyzer=analyzer, field_boost=self.TITLE_BOOST),
            content=TEXT(analyzer=analyzer),
        )
        directory.mkdir(parents=True, exist_ok=True)
        self.ix = whoosh_index.create_in(str(directory), schema)
        writer = self.ix.writer()
        for label in INDEXED_LABELS:
            for doc in read_documents(graph, label, None):
                fields = document_fields(doc)
                content = "\n".join(fields[f] for f in ("tags", "summary", "body", "names"))
                writer.add_document(key=fields["id"], title=fields["title"], content=content)
        writer.commit()
        self.parser = MultifieldParser(["title", "content"], self.ix.schema, group=OrGroup)

    def rankings(self, queries: Iterable[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        with self.ix.searcher(weighting=BM25F()) as searcher:
            for text in queries:
                hits = searcher.search(self.parser.parse(text), limit=K)
                out[text] = [hit["key"] for hit in hits]
        return out


@dataclass
class Scores:
    """Mean metrics over a set of queries."""

    count: int = 0
    mrr: float = 0.0
    ndcg: float = 0.0
    recall: float = 0.0
    misses: list[str] = field(default_factory=list)


def reciprocal_rank(judged: Judged, ranked: list[str]) -> float:
    relevant = judged.relevant
    rank = next((i + 1 for i, key in enumerate(ranked[:K]) if key in relevant), None)
    return 1 / rank if rank else 0.0


def ndcg(judged: Judged, ranked: list[str]) -> float:
    gains = [judged.grades.get(key, 0) for key in ranked[:K]]
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(judged.grades.values(), reverse=True)[:K]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(judged: Judged, ranked: list[str]) -> float:
    relevant = judged.relevant
    return len(relevant & set(ranked[:K])) / len(relevant) if relevant else 1.0


def evaluate(judged: list[Judged], rankings: Mapping[str, list[str]]) -> dict[str, Scores]:
    """Scores per query type, and over all of them under ``"all"``."""
    groups: dict[str, list[Judged]] = {"all": list(judged)}
    for j in judged:
        groups.setdefault(j.type, []).append(j)
    out: dict[str, Scores] = {}
    for name, members in groups.items():
        scores = Scores(count=len(members))
        for j in members:
            ranked = rankings[j.query]
            rr = reciprocal_rank(j, ranked)
            scores.mrr += rr / len(members)
            scores.ndcg += ndcg(j, ranked) / len(members)
            scores.recall += recall(j, ranked) / len(members)
            missing = sorted(j.relevant - set(ranked[:K]))
            if name == "all" and (rr < 1 or missing):
                first = f"1/{1 / rr:.0f}" if rr else "none"
                scores.misses.append(f"{j.query!r}: first relevant {first}, missing {missing}")
        out[name] = scores
    return out


def report_table(results: Mapping[str, tuple[dict[str, Scores], dict[str, Scores]]]) -> str:
    """A Markdown table: per file and query type, ours beside the plain BM25 peer."""
    lines = [
        "| file | query type | n | MRR@10 ours | MRR@10 BM25 | nDCG@10 ours | nDCG@10 BM25 "
        "| recall@10 ours | recall@10 BM25 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for file, (ours, peer) in results.items():
        for name in ["all", *sorted(k for k in ours if k != "all")]:
            o, p = ours[name], peer[name]
            label = f"**{name}**" if name == "all" else name
            lines.append(
                f"| {file} | {label} | {o.count} | {o.mrr:.2f} | {p.mrr:.2f} | {o.ndcg:.2f} "
                f"| {p.ndcg:.2f} | {o.recall:.2f} | {p.recall:.2f} |"
            )
    return "\n".join(lines)
