"""Stored texts analysed once for highlighting, and a query's matched tokens in them.

Highlighting a hit re-analyses its stored text (tokenise, lower-case, mark stop words,
stem) for every search that shows it: most of a search's CPU time, and the same work
for each new query text that returns the same documents. :class:`AnalysedTexts` keeps
the outcome per text (token offsets, the analysed word of each token, where each word
occurs), bounded in bytes; :func:`matched_tokens` then makes only the tokens a query
marks, as ``Highlighter._merge_matched_tokens`` over the analyser's stream would hand
them to the fragmenter, without walking every token.

Example:
    >>> analysed = TEXTS.get(chain, "Bid protests on a bid")
    >>> [(t.startchar, t.text) for t in matched_tokens(analysed, frozenset({"bid"}), False)]
    [(0, 'bid'), (18, 'bid')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whoosh.analysis import Token

from kb.search.kept import KeptBytes

#: Estimated bytes of analysed texts kept, all fields together (per process).
MAX_BYTES = 16 * 1024 * 1024
#: Bytes per token kept (offsets, word, position, stop flag, index entry): 179 measured
#: with tracemalloc over the seed's texts (48,670 tokens), rounded up.
_TOKEN_BYTES = 190


@dataclass(frozen=True, slots=True)
class AnalysedText:
    """One text as the highlighter's analyser reads it: per token its character span,
    its word (lower-cased; stemmed unless a stop word), position and stop flag."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    words: tuple[str, ...]
    positions: tuple[int, ...]
    stopped: tuple[bool, ...]
    #: Word -> indices of its tokens, in order.
    where: dict[str, tuple[int, ...]]
    #: Characters of the text (kept too, as the cache's key).
    length: int

    @property
    def size(self) -> int:
        """Estimated bytes held, the text included."""
        return 200 + _TOKEN_BYTES * len(self.words) + self.length

    def token(self, index: int, words: frozenset[str]) -> Token:
        """The analyser's token ``index`` as the highlighter sees it for ``words``."""
        word = self.words[index]
        return Token(
            positions=True,
            chars=True,
            removestops=False,
            mode="index",
            boost=1.0,
            pos=self.positions[index],
            startchar=self.starts[index],
            endchar=self.ends[index],
            stopped=self.stopped[index],
            text=word,
            matched=word in words,
        )


def analyse(chain: tuple[Any, ...], text: str) -> AnalysedText:
    """``text`` through ``chain`` (see :func:`kb.search.hits._chain`), token by token
    as ``kb.search.hits._matched_tokens`` (and Whoosh's analyser) reads it."""
    expression, stops, minsize, maxsize, renumber, stem, ignore = chain
    starts: list[int] = []
    ends: list[int] = []
    words: list[str] = []
    positions: list[int] = []
    stopped: list[bool] = []
    where: dict[str, list[int]] = {}
    pos: int | None = None
    for number, match in enumerate(expression.finditer(text)):
        position = number
        word = match.group(0).lower()
        if len(word) >= minsize and (maxsize is None or len(word) <= maxsize) and word not in stops:
            if renumber:
                if pos is None:
                    pos = number
                else:
                    pos += 1
                    position = pos
            is_stop = False
            if word not in ignore:
                word = stem(word)
        else:
            is_stop = True
        starts.append(match.start())
        ends.append(match.end())
        words.append(word)
        positions.append(position)
        stopped.append(is_stop)
        where.setdefault(word, []).append(number)
    return AnalysedText(
        tuple(starts),
        tuple(ends),
        tuple(words),
        tuple(positions),
        tuple(stopped),
        {word: tuple(found) for word, found in where.items()},
        len(text),
    )


def matched_tokens(
    analysed: AnalysedText, words: frozenset[str], shared: bool
) -> list[Token] | None:
    """The tokens of ``words`` in ``analysed``, in order, as a fragmenter receives them
    from ``Highlighter._merge_matched_tokens``; None when two of them touch (Whoosh
    would merge them into one: the caller analyses the text itself then).

    ``shared``: what a fragmenter that keeps the tokens it is given (the pinpoint
    fragmenter) ends up holding. The merge yields a copy of the first token of each
    run of consecutive matched tokens, but the next one as the analyser's own token
    object, which the analyser then changes in place for every later token: that
    entry ends as the text's last token. Fragmenters that copy each token at once (the
    whole-text one) see every matched token as it was (``shared`` False).
    """
    found = [i for word in analysed.where.keys() & words for i in analysed.where[word]]
    found.sort()
    tokens: list[Token] = []
    last: Token | None = None
    previous = -2
    run = 0  # index of this token within its run of consecutive matched tokens
    for index in found:
        if index == previous + 1:
            if analysed.starts[index] <= analysed.ends[previous]:
                return None
            run += 1
        else:
            run = 0
        previous = index
        if shared and run % 2 == 1:
            if last is None:
                last = analysed.token(len(analysed.words) - 1, words)
            tokens.append(last)
        else:
            tokens.append(analysed.token(index, words))
    return tokens


class AnalysedTexts:
    """Analysed texts by (analyser chain, text), least recently used dropped first
    beyond ``max_bytes`` (estimated: :attr:`AnalysedText.size`). Safe to share between
    threads."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: KeptBytes[tuple[Any, str], AnalysedText] = KeptBytes(
            max_bytes, size=lambda analysed: analysed.size
        )

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """Estimated bytes held now."""
        return self._entries.bytes

    def get(self, chain: tuple[Any, ...], text: str) -> AnalysedText:
        """``text`` analysed by ``chain``, from the cache or made now (and kept)."""
        key = (chain, text)
        found = self._entries.get(key)
        if found is None:
            found = analyse(chain, text)
            self._entries.put(key, found)
        return found


#: The process's analysed texts (the chain in each key tells analysers apart).
TEXTS = AnalysedTexts()
