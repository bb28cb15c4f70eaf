"""BM25F over a parsed query's concepts, for re-ranking (:mod:`kb.search.ranking`).

Per concept, the term frequencies of every field and alternative (weighted by field,
each normalised by its field's length) are added *before* saturation, so a word repeated
in five fields or a synonym group of six phrases counts once, saturated, times the
concept's rarity (Whoosh's own "BM25F" saturates and adds each field separately; it only
retrieves). Alongside, how much of each concept a document holds (:func:`held_share`),
for coverage. Two paths give the same numbers: :func:`bm25f` reads Whoosh's postings,
:func:`bm25f_arrays` the snapshot's cached posting arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query as wq

from kb.search.matchsets import MatchSets
from kb.search.schema import TEXT_FIELDS
from kb.search.scoring import ScoreVectors, mask_of
from kb.search.words import Concept

#: Term-frequency credit of a glossary alternative beside the form the person typed
#: (a wide group, "MPA" with every "master agreement", must not bury the typed word).
SYNONYM_CREDIT = 0.15
#: BM25F saturation and length normalisation. The term frequencies of every field are
#: added, each times its weight (a title match counts six), before saturation, so k1 is
#: larger than single-field BM25's 1.2, as BM25F's authors advise (Robertson & Zaragoza,
#: "The Probabilistic Relevance Framework: BM25 and Beyond", 2009, section 3.5): at 1.2
#: one title match already saturated, and a title told little more than a body.
K1 = 6.0
B = 0.75


def bm25f(
    searcher: Any, concepts: list[Concept], rarity: list[float], numbers: list[int]
) -> tuple[dict[int, float], dict[int, float]]:
    """Docnum -> BM25F score over the query's concepts (see the module docstring), and
    docnum -> the summed weight of the concepts it holds, each times :func:`held_share`
    (for coverage)."""
    reader = searcher.reader()
    averages = {name: searcher.avg_field_length(name) or 1.0 for name in TEXT_FIELDS}
    norms: dict[tuple[int, str], float] = {}
    for number in numbers:
        for name in TEXT_FIELDS:
            length = reader.doc_field_length(number, name, 0) or 0
            norms[(number, name)] = 1 - B + B * length / averages[name]
    scores: dict[int, float] = dict.fromkeys(numbers, 0.0)
    held: dict[int, float] = dict.fromkeys(numbers, 0.0)
    for concept, weight in zip(concepts, rarity, strict=True):
        if concept.prefix:
            for number in among(searcher, concept.to_query(), numbers):
                held[number] += weight
            continue
        tf: dict[int, float] = {}
        for name in concept.fields:
            if name not in TEXT_FIELDS:
                continue
            for tokens in concept.alternatives:
                credit = _credit(concept, tokens)
                for number, freq in _frequencies(searcher, name, tokens, numbers):
                    tf[number] = tf.get(number, 0.0) + credit * freq / norms[(number, name)]
        for number, value in tf.items():
            scores[number] += weight * value / (K1 + value)
            held[number] += weight * float(held_share(value))
    return scores, held


def bm25f_arrays(
    searcher: Any,
    concepts: list[Concept],
    rarity: list[float],
    numbers: list[int],
    vectors: ScoreVectors,
    sets: MatchSets,
) -> tuple[dict[int, float], dict[int, float]]:
    """:func:`bm25f` over cached arrays: the same arithmetic, element by element."""
    nums = np.array(numbers, dtype=np.int64)

    def found_in(query: wq.Query) -> Any:
        return mask_of(sets.docs(searcher, query), vectors.size)[nums]

    norms = {}
    for name in TEXT_FIELDS:
        average = searcher.avg_field_length(name) or 1.0
        length = vectors.lengths(searcher, name)[nums]
        norms[name] = 1 - B + B * np.where(length < 0, 0.0, length) / average
    scores = np.zeros(len(nums))
    held = np.zeros(len(nums))
    for concept, weight in zip(concepts, rarity, strict=True):
        if concept.prefix:
            held[found_in(concept.to_query())] += weight
            continue
        tf = np.zeros(len(nums))
        seen = np.zeros(len(nums), dtype=bool)
        for name in concept.fields:
            if name not in TEXT_FIELDS:
                continue
            for tokens in concept.alternatives:
                credit = _credit(concept, tokens)
                if len(tokens) > 1:
                    found = found_in(wq.Phrase(name, list(tokens)))
                    freq = np.full(len(nums), TEXT_FIELDS[name])
                else:
                    ids, weights = vectors.postings(searcher, name, tokens[0])
                    if not len(ids):
                        continue
                    at = np.minimum(np.searchsorted(ids, nums), len(ids) - 1)
                    found = ids[at] == nums
                    freq = weights[at]
                tf[found] += credit * freq[found] / norms[name][found]
                seen |= found
        scores[seen] += weight * tf[seen] / (K1 + tf[seen])
        held[seen] += weight * held_share(tf[seen])
    return (
        {n: float(v) for n, v in zip(numbers, scores, strict=True)},
        {n: float(v) for n, v in zip(numbers, held, strict=True)},
    )


def _credit(concept: Concept, tokens: tuple[str, ...]) -> float:
    """Term-frequency credit of one alternative: whole for the typed word and its other
    forms, :data:`SYNONYM_CREDIT` for the glossary's."""
    return 1.0 if tokens == concept.typed or tokens in concept.forms else SYNONYM_CREDIT


def held_share(tf: Any) -> Any:
    """How much of a concept a document holds, from its weighted, length-normalised
    term frequency ``tf`` (a float or an array): BM25's saturation scaled so that one
    match in a field of average length holds it whole, capped at 1; one in a field five
    times the average holds about a quarter of it."""
    return np.minimum(1.0, tf * (K1 + 1) / (tf + K1))


def _frequencies(
    searcher: Any, name: str, tokens: tuple[str, ...], numbers: list[int]
) -> list[tuple[int, float]]:
    """(docnum, weighted term frequency) of ``tokens`` in field ``name`` for the
    documents ``numbers`` (sorted). A phrase counts once, at the field's weight."""
    if len(tokens) > 1:
        found = among(searcher, wq.Phrase(name, list(tokens)), numbers)
        return [(number, TEXT_FIELDS[name]) for number in found]
    if (name, tokens[0]) not in searcher.reader():
        return []
    # Postings weights are term frequencies times the field's index-time boost.
    return list(_walk(searcher.postings(name, tokens[0]), numbers, 0, weights=True))


def among(searcher: Any, query: wq.Query, numbers: list[int]) -> list[int]:
    """Those of ``numbers`` (sorted docnums) that match ``query``, found by skipping
    through its matcher, segment by segment, rather than listing every match."""
    found: list[int] = []
    for sub, offset in searcher.subsearchers:
        end = offset + sub.doc_count_all()
        local = [n - offset for n in numbers if offset <= n < end]
        if not local:
            continue
        matcher = query.matcher(sub)
        found.extend(number for number, _ in _walk(matcher, local, offset))
    return found


def _walk(
    matcher: Any, numbers: list[int], offset: int, weights: bool = False
) -> list[tuple[int, float]]:
    out: list[tuple[int, float]] = []
    for number in numbers:
        if not matcher.is_active():
            break
        if matcher.id() < number:
            matcher.skip_to(number)
            if not matcher.is_active():
                break
        if matcher.id() == number:
            out.append((number + offset, float(matcher.weight()) if weights else 1.0))
    return out
