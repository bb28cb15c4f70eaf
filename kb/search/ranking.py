"""Ranking: which documents match a parsed query, and in what order.

Retrieval (Whoosh, BM25F with the field weights of :data:`kb.search.schema.TEXT_FIELDS`
applied at index time):

- each concept (a word, a phrase, or a group of synonyms) is an OR over its fields and
  alternatives (Whoosh's ``DisjunctionMax`` gives many documents one flat score, so it
  is not used);
- concepts found in a large share of the documents ("state", "contract") only rank:
  a document must match at least one rarer concept to be a hit at all.

Re-ranking of the best :data:`CANDIDATES`. The text score is BM25F proper, field
frequencies added before saturation (:mod:`kb.search.bm25f`). That score is multiplied
by:

- **concept coverage**: the share of the query's concepts (weighted by rarity) the
  document holds, each held as strongly as its saturated term frequency says (capped at
  once): a word mentioned once in a long practice holds less than the same word in a
  lesson's title, so long documents do not win a long question by holding its casual
  words somewhere; a document with every concept beats one repeating a single word;
- **proximity**: neighbouring concepts of the query found within a few words of each
  other (in the title, tags, summary or body);
- **the graph**: the document is linked to a state, category, alliance or contract the
  query names (:mod:`kb.search.intent`);
- **intent**: "how do I ...?" lifts practices, "why did ...?" and "what went wrong?"
  lift lessons; "which contracts can Utah join?" puts
  Utah's eligible contracts first;
- **meaning**, for a query of :data:`SEMANTIC_MIN_CONCEPTS` concepts or more: the cosine
  of its static word vector with the document's (:mod:`kb.search.semantic`), scaled
  from the weakest candidate's to the strongest's, so that "paying interest on our
  bills" finds the lesson about invoices paid late. Short queries name their topic in
  the records' words and do without it (on the tuning judgments it moved acronyms and
  "topic + state" queries down).

Hits past the candidates keep Whoosh's order after them, so pages stay consistent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query as wq

from kb.search.bm25f import among, bm25f, bm25f_arrays
from kb.search.documents import uid
from kb.search.intent import Intent
from kb.search.matchsets import MatchSets
from kb.search.querying import ParsedQuery
from kb.search.scoring import ScoreVectors
from kb.search.semantic import word_vectors
from kb.search.words import Concept

#: Best Whoosh hits re-ranked; hits after them keep Whoosh's order.
CANDIDATES = 100
#: Share of Whoosh's own score in the text score (it also scores +required clauses).
WHOOSH_SHARE = 0.2
#: A concept in more than this share of the documents cannot make a hit on its own.
COMMON_SHARE = 0.3
#: Score a document keeps when it holds none of the concepts' weight ...
COVERAGE_FLOOR = 0.25
#: ... rising in proportion to the share it holds (a square, tried too, let a long
#: question's casual words decide: tests/search/README.md, the development batch).
COVERAGE_POWER = 1.0
#: Bonus when every pair of neighbouring concepts occurs close together.
PROXIMITY_BONUS = 0.3
#: Words apart that still count as close, and the credit of a close (not adjacent) pair.
PROXIMITY_SLOP = 3
NEAR_CREDIT = 0.5
PROXIMITY_FIELDS = ("title", "tags", "summary", "body")
#: Bonus per kind of named thing (state, category, alliance, contract) a document is
#: linked to, and the most it adds up to.
GRAPH_BONUS = 0.25
GRAPH_CAP = 0.5
#: Boost of the eligible contracts' clause in retrieval (they must be candidates).
ELIGIBLE_BOOST = 1000.0
#: Bonus for practices when the query asks how to do something (as much as the lessons'
#: below: at 0.1, a lesson with "joining" and "cooperative" in its title came before the
#: participating-addenda practice for "how do I join a cooperative contract?").
PRACTICE_BONUS = 0.15
#: Bonus for lessons when the query asks what happened ("why did ...", "what went wrong").
LESSON_BONUS = 0.15
#: Bonus for contracts when the query asks which contract, names an alliance, or names
#: a contract and says "contract" (:attr:`Intent.wants_contracts`).
CONTRACT_BONUS = 0.3
#: Fewest concepts for which the query's meaning counts, and its weight: the candidate
#: nearest the query in meaning gains this share of its score, the farthest nothing.
SEMANTIC_MIN_CONCEPTS = 4
SEMANTIC_WEIGHT = 1.0


@dataclass
class Plan:
    """The Whoosh query that retrieves, and what re-ranking needs to know."""

    query: wq.Query
    concepts: list[Concept]
    weights: list[float]
    intent: Intent
    eligible: set[str] = field(default_factory=set)
    #: The query as it was probably meant (:attr:`ParsedQuery.meant`): what its meaning
    #: is read from.
    text: str = ""


def document_frequency(searcher: Any, concept: Concept) -> int:
    """How many documents hold ``concept`` (any field, any alternative), counted.

    (Estimating it from per-field term statistics, which reads no posting list, ranked
    worse on the tuning judgments: a group of synonyms is overstated.)
    """
    return sum(1 for _ in searcher.docs_for_query(concept.to_query()))


def plan(
    searcher: Any,
    parsed: ParsedQuery,
    intent: Intent,
    eligible: Sequence[str],
    frequency: Callable[[Concept], int] | None = None,
) -> Plan:
    """The retrieval query for ``parsed`` and the statistics re-ranking uses.

    ``frequency`` counts the documents holding a concept (default:
    :func:`document_frequency`; the service passes a count over cached bitmaps).
    """
    total = max(searcher.doc_count(), 1)
    concepts = list(parsed.should)
    count = frequency or (lambda concept: document_frequency(searcher, concept))
    frequencies = [count(c) for c in concepts]
    weights = [
        math.log(1 + total / (df + 0.5)) * c.certainty
        for c, df in zip(concepts, frequencies, strict=True)
    ]
    queries = [c.to_query() for c in concepts]
    rare = [q for q, df in zip(queries, frequencies, strict=True) if df <= COMMON_SHARE * total]
    common = [q for q, df in zip(queries, frequencies, strict=True) if df > COMMON_SHARE * total]
    ranked: wq.Query | None = None
    if rare and common:
        ranked = wq.AndMaybe(_any(rare), _any(common))
    elif queries:
        ranked = _any(queries)
    if eligible:
        # Boosted so that they are among the candidates however weak their text match.
        wanted = _any(
            [wq.Term("uid", uid("contract", key), boost=ELIGIBLE_BOOST) for key in eligible]
        )
        ranked = wanted if ranked is None else wq.Or([ranked, wanted])
    return Plan(parsed.to_query(ranked), concepts, weights, intent, set(eligible), parsed.meant)


def _any(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def rerank(
    searcher: Any,
    hits: Sequence[Any],
    plan: Plan,
    arrays: tuple[ScoreVectors, MatchSets] | None = None,
) -> list[tuple[Any, float]]:
    """``hits`` (best first: Whoosh hits or :class:`kb.search.hits.Candidate`) with
    their final scores, best first. With ``arrays`` (the snapshot's score vectors and
    bitmaps) term frequencies come from cached posting arrays (the same numbers)."""
    head = list(hits[:CANDIDATES])
    if not head:
        return []
    top = max(float(h.score or 0.0) for h in head) or 1.0
    numbers = sorted({h.docnum for h in head})
    if arrays is None:
        text, held = bm25f(searcher, plan.concepts, plan.weights, numbers)
    else:
        text, held = bm25f_arrays(searcher, plan.concepts, plan.weights, numbers, *arrays)
    best = max(text.values(), default=0.0) or 1.0
    if arrays is None:
        close = _close_pairs(searcher, plan, numbers)
    else:
        close = _close_pairs_arrays(searcher, plan, numbers, arrays[0])
    linked = _linked(searcher, plan, numbers, None if arrays is None else arrays[1])
    pairs = max(len(plan.concepts) - 1, 0)
    total_weight = sum(plan.weights) or 1.0
    scored: list[tuple[Any, float]] = []
    for hit in head:
        score = float(hit.score or 0.0) / top
        if plan.concepts:
            score = WHOOSH_SHARE * score + (1 - WHOOSH_SHARE) * text.get(hit.docnum, 0.0) / best
            coverage = held.get(hit.docnum, 0.0) / total_weight
            score *= COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * coverage**COVERAGE_POWER
        if pairs:
            score *= 1 + PROXIMITY_BONUS * close.get(hit.docnum, 0) / pairs
        score *= 1 + min(GRAPH_BONUS * linked.get(hit.docnum, 0), GRAPH_CAP)
        if plan.intent.wants_practices and hit["kind"] == "practice":
            score *= 1 + PRACTICE_BONUS
        if plan.intent.wants_lessons and hit["kind"] == "lesson":
            score *= 1 + LESSON_BONUS
        if plan.intent.wants_contracts and hit["kind"] == "contract":
            score *= 1 + CONTRACT_BONUS
        if hit["kind"] == "contract" and hit["id"] in plan.eligible:
            score += 10.0
        scored.append((hit, score))
    if len(plan.concepts) >= SEMANTIC_MIN_CONCEPTS and not plan.intent.wants_eligible_contracts:
        vectors = None if arrays is None else arrays[0]
        scored = _with_meaning(searcher, scored, plan.text, vectors)
    scored.sort(key=lambda pair: (-pair[1], pair[0]["kind"], pair[0]["id"]))
    tail = [(h, float(h.score or 0.0) / top * 1e-3) for h in hits[CANDIDATES:]]
    return scored + tail


def _with_meaning(
    searcher: Any, scored: list[tuple[Any, float]], text: str, vectors: ScoreVectors | None
) -> list[tuple[Any, float]]:
    """``scored`` with each score times 1 + :data:`SEMANTIC_WEIGHT` x the document's
    closeness in meaning to ``text``, from 0 (the farthest candidate) to 1 (the nearest).
    With ``vectors``, the documents' vectors are those made when their segment was read
    (:meth:`ScoreVectors.meaning`), else they are made from the stored text."""
    wanted = word_vectors().vector(text)
    if not wanted.any() or len(scored) < 2:
        return scored
    numbers = sorted({hit.docnum for hit, _ in scored})
    if vectors is None:
        stored = [searcher.stored_fields(n) for n in numbers]
        matrix = word_vectors().documents(stored)
    else:
        matrix = vectors.meaning(searcher, numbers)
    near = dict(zip(numbers, matrix.astype(np.float32) @ wanted, strict=True))
    similarity = np.array([near[hit.docnum] for hit, _ in scored])
    low, high = float(similarity.min()), float(similarity.max())
    if high <= low:
        return scored
    closeness = (similarity - low) / (high - low)
    return [
        (hit, score * (1 + SEMANTIC_WEIGHT * float(c)))
        for (hit, score), c in zip(scored, closeness, strict=True)
    ]


def _close_pairs(searcher: Any, plan: Plan, numbers: list[int]) -> dict[int, float]:
    """Docnum -> credit for neighbouring concept pairs found together in it: 1 for a pair
    next to each other (as typed, stop words aside), :data:`NEAR_CREDIT` for one within
    :data:`PROXIMITY_SLOP` words."""
    credit: dict[int, float] = {}
    for left, right in zip(plan.concepts, plan.concepts[1:], strict=False):
        if left.prefix or right.prefix:
            continue
        tokens = [*left.alternatives[0], *right.alternatives[0]]
        near = wq.Or([wq.Phrase(name, tokens, slop=PROXIMITY_SLOP) for name in PROXIMITY_FIELDS])
        close = among(searcher, near, numbers)
        if not close:
            continue
        beside = wq.Or([wq.Phrase(name, tokens) for name in PROXIMITY_FIELDS])
        adjacent = set(among(searcher, beside, close))
        for number in close:
            credit[number] = credit.get(number, 0.0) + (1.0 if number in adjacent else NEAR_CREDIT)
    return credit


def _close_pairs_arrays(
    searcher: Any, plan: Plan, numbers: list[int], vectors: ScoreVectors
) -> dict[int, float]:
    """:func:`_close_pairs` from positions read once per term and field (the same test
    as Whoosh's phrase matcher, :func:`kb.search.segments.within`), each candidate's
    outcome per pair and field kept per snapshot (:meth:`ScoreVectors.closeness`)."""
    credit: dict[int, float] = {}
    nums = np.array(numbers, dtype=np.int64)
    # Which of the candidates hold a term in a field, once per term and field (the right
    # concept of one pair is the left of the next), by binary search in its ascending
    # posting list rather than np.isin (which hashes or sorts both arrays each time).
    held: dict[tuple[str, str], Any] = {}

    def holds(name: str, token: str) -> Any:
        found = held.get((name, token))
        if found is None:
            ids = vectors.postings(searcher, name, token)[0]
            if len(ids):
                at = np.minimum(np.searchsorted(ids, nums), len(ids) - 1)
                found = ids[at] == nums
            else:
                found = np.zeros(len(nums), dtype=bool)
            held[(name, token)] = found
        return found

    for left, right in zip(plan.concepts, plan.concepts[1:], strict=False):
        if left.prefix or right.prefix:
            continue
        tokens = [*left.alternatives[0], *right.alternatives[0]]
        close: set[int] = set()
        adjacent: set[int] = set()
        for name in PROXIMITY_FIELDS:
            holding = np.ones(len(nums), dtype=bool)
            for token in set(tokens):
                holding &= holds(name, token)
            docs = [int(n) for n in nums[holding]]
            if not docs:
                continue
            near = vectors.closeness(searcher, name, tuple(tokens), docs, PROXIMITY_SLOP)
            for number in docs:
                if near[number]:
                    close.add(number)
                    if near[number] == 2:
                        adjacent.add(number)
        for number in sorted(close):
            credit[number] = credit.get(number, 0.0) + (1.0 if number in adjacent else NEAR_CREDIT)
    return credit


def _linked(
    searcher: Any, plan: Plan, numbers: list[int], sets: MatchSets | None = None
) -> dict[int, int]:
    """Docnum -> how many kinds of named things (state, category, ...) it is linked to
    (from the snapshot's bitmaps when ``sets`` is given)."""
    intent = plan.intent
    kinds: list[wq.Query] = []
    for fieldname, keys in (
        ("state", intent.states),
        ("category", intent.categories),
        ("alliance", intent.alliances),
    ):
        if keys:
            kinds.append(_any([wq.Term(fieldname, k) for k in keys]))
    if intent.contracts:
        # Documents hold the titles of the contracts they are linked to in "names"; the
        # contract named is linked to itself (a question naming one contract lifts that
        # contract, not every contract of its alliance).
        named: list[wq.Query] = [wq.Term("uid", uid("contract", k)) for k in intent.contracts]
        titles = [_title_query(searcher, key) for key in intent.contracts]
        kinds.append(_any(named + [q for q in titles if q is not None]))
    counts: dict[int, int] = {}
    for query in kinds:
        if sets is None:
            found = among(searcher, query, numbers)
        else:
            bits = sets.docs(searcher, query)
            found = [n for n in numbers if bits >> n & 1]
        for number in found:
            counts[number] = counts.get(number, 0) + 1
    return counts


def _title_query(searcher: Any, key: str) -> wq.Query | None:
    number = searcher.document_number(uid=uid("contract", key))
    if number is None:
        return None
    title = searcher.stored_fields(number).get("title", "")
    tokens = [t.text for t in searcher.schema["names"].analyzer(title)]
    if not tokens:
        return None
    return wq.Phrase("names", tokens) if len(tokens) > 1 else wq.Term("names", tokens[0])
