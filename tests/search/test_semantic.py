"""The static word vectors (kb/search/word_vectors.npz, built by scripts/word_vectors.py)
and their part in ranking: a question in everyday words finds the record in the trade's."""

from __future__ import annotations

import numpy as np
import pytest
from search_support import write_lesson

from kb.graph.db import Graph
from kb.search import Indexer, IndexStore, SearchService, ranking
from kb.search.semantic import MODEL, SKIPPED, WORD_VECTORS, WordVectors, word_vectors


def test_the_table_is_the_distilled_one() -> None:
    with np.load(WORD_VECTORS, allow_pickle=False) as data:
        assert str(data["model"]) == MODEL
        words, vectors, scales = data["words"], data["vectors"], data["scales"]
        assert vectors.dtype == np.int8 and vectors.shape == (len(words), 128)
        assert len(words) > 60_000 and (words[1:] > words[:-1]).all()  # sorted, unique
        assert all(w.isalpha() and w.islower() for w in words.astype(str).tolist())
        assert (scales > 0).all() and np.abs(vectors).max() == 127


def test_frequent_words_weigh_less_than_rare_ones() -> None:
    table = word_vectors()
    rows = {w: table.row(w) for w in ("the", "work", "invoices", "zzqx")}
    assert rows["zzqx"] is None
    scale = {w: float(table.scales[r]) for w, r in rows.items() if r is not None}
    assert scale["the"] * 10 < scale["work"]
    # A word outside the model's vocabulary ("invoices" is two of its pieces) ranks
    # after all of it.
    assert scale["invoices"] > scale["work"]


def _cos(table: WordVectors, a: str, b: str) -> float:
    return float(table.vector(a) @ table.vector(b))


@pytest.mark.parametrize(
    ("word", "near", "far"),
    [
        ("cheaper", "inexpensive", "late"),
        ("late", "overdue", "cheap"),
        ("crashed", "restarted", "renewal"),
        ("attend", "meeting", "invoice"),
        ("renewed", "reissued", "vaccine"),
        ("cancel", "terminate", "bidder"),
    ],
)
def test_words_near_in_meaning_have_near_vectors(word: str, near: str, far: str) -> None:
    table = word_vectors()
    assert _cos(table, word, near) > _cos(table, word, far) + 0.1


def test_a_text_vector_leaves_out_the_words_that_frame_a_question() -> None:
    table = word_vectors()
    asked = table.vector("why are we paying interest on our bills?")
    plain = table.vector("paying interest bills")
    assert np.allclose(asked, plain)
    assert abs(float(np.linalg.norm(asked)) - 1.0) < 1e-5
    assert {"why", "we", "our", "use", "the"} <= SKIPPED
    # Words the table lacks add nothing; a text of none of them has no direction.
    assert not table.vector("zzqx 12345 the of").any()
    assert float(table.vector("zzqx") @ table.vector("invoices")) == 0.0


@pytest.mark.parametrize(
    "question",
    [
        "why are we charged interest every month when bills get paid",
        "why does the state keep paying interest on overdue bills to suppliers",
    ],
)
def test_a_question_in_everyday_words_moves_the_record_in_the_trades_up(
    seeded_graph: Graph, store: IndexStore, monkeypatch: pytest.MonkeyPatch, question: str
) -> None:
    """The lesson says "invoices", "late" and "penalties"; the questions say "bills",
    "overdue" and "charged". Meaning lifts it over records that share more words."""
    write_lesson(
        seeded_graph,
        "L-9802",
        "Late invoice approvals cost the agency interest penalties",
        "Invoices waited weeks for a manager's sign-off, and the prompt payment law "
        "added interest on each one paid after thirty days.",
    )
    write_lesson(
        seeded_graph,
        "L-9803",
        "Vendor interest in the monthly bid calendar fell",
        "Fewer firms registered for the month's openings after the calendar moved.",
    )
    Indexer(seeded_graph, store).start()
    with_meaning = [h.id for h in SearchService(store).search(question, first=10).hits]
    monkeypatch.setattr(ranking, "SEMANTIC_WEIGHT", 0.0)
    without = [h.id for h in SearchService(store).search(question, first=10).hits]
    assert "L-9802" in without, without
    assert with_meaning.index("L-9802") < without.index("L-9802"), (with_meaning, without)


def test_a_short_query_is_ranked_by_its_words_alone(
    search: SearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below SEMANTIC_MIN_CONCEPTS concepts the order is the words' own."""
    short = "sole source justification"
    ours = [h.id for h in search.search(short, first=10).hits]
    monkeypatch.setattr(ranking, "SEMANTIC_WEIGHT", 0.0)
    assert [h.id for h in search.search(short, first=10).hits] == ours
