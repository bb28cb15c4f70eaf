"""What a text is about, as a vector: static word vectors, for questions in other words
than the records'.

A person asks "why are we paying interest on our bills?"; the lesson says "late invoice
approvals cost the state interest penalties". Stemming and the glossary join forms and
the trade's terms, not everyday words with the records' ones ("bills" and "invoices",
"cheaper" and "lower price", "show up" and "attend"). A sentence model would, but
running one per document costs a tenth of a second here (two cores, no GPU), too slow
to index 16,000 documents or to re-rank a hundred per query.

So each word has one static vector, distilled once from the sentence model
all-MiniLM-L6-v2 by ``scripts/word_vectors.py`` (Model2Vec's recipe: the word alone
through the model, PCA, SIF weights that make frequent words count less), and a text's
vector is the mean of its words' vectors: a binary search per word, no model at run
time. The 66,000 words are the model vocabulary's and LemmInflect's; a word outside
them adds nothing. Stop words and noise words (:data:`kb.search.words.NOISE_WORDS`)
are left out of a query's vector, and the question words that frame it.

Ranking uses the cosine of the query's vector with each candidate's as one factor among
several, for queries of several concepts only (:mod:`kb.search.ranking`).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from kb.search.schema import INDEX_STOP_WORDS
from kb.search.words import NOISE_WORDS

#: The sentence model the vectors were distilled from.
MODEL = "sentence-transformers/all-MiniLM-L6-v2"
WORD_VECTORS = Path(__file__).with_name("word_vectors.npz")
#: Words that frame a question rather than say what it is about.
_QUESTION_WORDS = (
    "how what why when which who whom where do does did can could should would will "
    "we our us you your they their i me my is are was were be been"
)
_QUESTION = frozenset(_QUESTION_WORDS.split())
SKIPPED = frozenset(INDEX_STOP_WORDS | NOISE_WORDS | _QUESTION)
#: Stored fields whose words make a document's vector, and how many times each word of
#: the title counts (as BM25F weighs a title above the body: on the tuning files, dev
#: MRR@10 0.84 with the title once, 0.87 twice or three times, nDCG 0.79 -> 0.81).
DOCUMENT_FIELDS = ("title", "summary", "body")
TITLE_TIMES = 3
_WORD = re.compile(r"[a-z]+")


class WordVectors:
    """The distilled table: sorted ASCII words, a row of int8 each and the row's scale
    (its SIF weight included). Words are found by binary search, not in a dictionary: 66,000
    Python strings would cost the server about 10 MB more."""

    def __init__(self, words: Any, vectors: Any, scales: Any) -> None:
        self.words = words
        self.vectors = vectors
        self.scales = scales
        self.dimensions = int(vectors.shape[1])

    @classmethod
    def load(cls, path: Path = WORD_VECTORS) -> WordVectors:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["words"], data["vectors"], data["scales"])

    def rows(self, text: str) -> Any:
        """The table rows of the words of ``text`` that carry a topic."""
        found = [w for w in _WORD.findall(text.lower()) if w not in SKIPPED]
        if not found:
            return np.zeros(0, dtype=np.int64)
        wanted = np.array(found, dtype="S")
        at = np.minimum(np.searchsorted(self.words, wanted), len(self.words) - 1)
        return at[self.words[at] == wanted]

    def row(self, word: str) -> int | None:
        """The row of one lower-case word (stop words too), or None if the table lacks it."""
        key = word.encode("ascii", "replace")
        at = int(np.searchsorted(self.words, key))
        return at if at < len(self.words) and self.words[at] == key else None

    def vector(self, text: str) -> Any:
        """Unit vector of ``text`` (float32), zeros when no word of it is known."""
        rows = self.rows(text)
        if not len(rows):
            return np.zeros(self.dimensions, dtype=np.float32)
        total = self.scales[rows] @ self.vectors[rows].astype(np.float32)
        norm = float(np.linalg.norm(total))
        return total / norm if norm else total

    def document(self, fields: dict[str, Any]) -> Any:
        """A document's vector (float16) from its stored fields."""
        return self.vector(document_text(fields)).astype(np.float16)

    def documents(self, stored: list[dict[str, Any]]) -> Any:
        """One row (float16) per document of ``stored`` (their stored fields)."""
        rows = [self.document(fields) for fields in stored]
        return np.stack(rows) if rows else np.zeros((0, self.dimensions), dtype=np.float16)


def document_text(fields: dict[str, Any]) -> str:
    """The text of a document's vector, from its stored fields."""
    texts = [str(fields.get(name) or "") for name in DOCUMENT_FIELDS]
    return " ".join([texts[0]] * (TITLE_TIMES - 1) + texts)


def document_vector(fields: dict[str, Any]) -> Any:
    """:meth:`WordVectors.document` by the process's table."""
    return word_vectors().document(fields)


_loaded: WordVectors | None = None
_lock = threading.Lock()


def word_vectors() -> WordVectors:
    """The table, read once per process (about 10 MB in memory)."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = WordVectors.load()
    return _loaded
