"""Other forms of a word a person types (its inflections), on the query side only.

The Porter stemmer joins "purchases" and "purchasing", but not "breaking" and "broken",
"smaller" and "small", or "lowest" and "low": a question in other forms of the records'
words then misses them. The words that belong together come from LemmInflect's English
dictionary of lemmas and their inflections; only the 2,900 or so lemmas whose forms the
stemmer splits are kept, in ``word_forms.txt`` beside this module (a lemma and its forms
a line). The stems of a typed word's line become alternatives of it, credited as the
word itself (they are the same word, not a synonym). Lines are looked up by the word as
typed, not by its stem: "stately" stems like "state", but "state" has no other forms.
Phrases of the thesaurus and quoted phrases are searched as written.

The dictionary is not loaded at run time (about 50 MB per process, and the server's
heap grew faster beside it); ``scripts/word_forms.py`` rebuilds the file from it
(LemmInflect is a test dependency, and a test keeps the file current).

American and British spellings of one word ("labor" and "labour", "center" and
"centre", "tire" and "tyre") are other forms too: the seed writes British English and
buyers often type American, and the stemmer keeps the two apart. The pairs come from
Breame's table of dual spellings (about 1,600 whose stems differ), kept in
``spellings.txt`` beside this module (an American and a British word a line) and rebuilt
by ``scripts/word_forms.py`` (Breame is a test dependency; a test keeps the file current).

Example:
    >>> inflected_stems("breaking")
    ('break', 'broke', 'broken')
    >>> spelled_stems("labor")
    ('labour',)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kb.search.synonyms import key_tokens

WORD_FORMS = Path(__file__).with_name("word_forms.txt")
SPELLINGS = Path(__file__).with_name("spellings.txt")


@cache
def _groups() -> dict[str, tuple[str, ...]]:
    """Word -> the stems of every line it is on (sorted), read once."""
    joined: dict[str, set[str]] = {}
    for line in WORD_FORMS.read_text(encoding="utf-8").splitlines():
        words = line.split()
        stems = {stem for word in words for stem in key_tokens(word)}
        for word in words:
            joined.setdefault(word, set()).update(stems)
    return {word: tuple(sorted(stems)) for word, stems in joined.items()}


def inflected_stems(word: str) -> tuple[str, ...]:
    """The query stems of every form of ``word`` (lower case), its own stem included;
    empty for a word whose forms all stem alike or that the dictionary lacks."""
    return _groups().get(word, ())


@cache
def _spellings() -> dict[str, tuple[str, ...]]:
    """Word -> the stems of its other spelling and of that spelling's forms (its own
    stem left out), read once."""
    other: dict[str, set[str]] = {}
    for line in SPELLINGS.read_text(encoding="utf-8").splitlines():
        american, british = line.split()
        other.setdefault(american, set()).add(british)
        other.setdefault(british, set()).add(american)
    spelled: dict[str, tuple[str, ...]] = {}
    for word, others in other.items():
        own = set(key_tokens(word))
        stems = {s for o in others for s in (*key_tokens(o), *inflected_stems(o))}
        spelled[word] = tuple(sorted(stems - own))
    return spelled


def spelled_stems(word: str) -> tuple[str, ...]:
    """The query stems of ``word``'s other spelling (American or British) and of its
    forms; empty for a word spelt one way."""
    return _spellings().get(word, ())


def load() -> None:
    """Read the groups now, so that no search waits for them."""
    _groups()
    _spellings()


def build_word_forms() -> str:
    """The text of ``word_forms.txt`` from LemmInflect's dictionary (read through its
    private ``_getInflDict``, hence the version bound in pyproject.toml): each lower-case
    lemma with its one-word inflections, where their stems are not all one."""
    from lemminflect import Inflections

    lines: list[str] = []
    for lemma, by_tag in sorted(Inflections()._getInflDict().items()):
        if not (lemma.isalpha() and lemma.islower()):
            continue
        forms = {lemma, *(f for forms in by_tag.values() for f in forms)}
        words = sorted(f for f in forms if f.isalpha() and f.islower())
        if len({key_tokens(word) for word in words}) > 1:
            lines.append(" ".join(words))
    return "".join(f"{line}\n" for line in lines)


def build_spellings() -> str:
    """The text of ``spellings.txt`` from Breame's table of dual spellings (American to
    British and British to American, merged): each lower-case pair whose stems differ,
    American first, sorted."""
    from breame.data.spelling_constants import (
        AMERICAN_ENGLISH_SPELLINGS,
        BRITISH_ENGLISH_SPELLINGS,
    )

    pairs = set(AMERICAN_ENGLISH_SPELLINGS.items())
    pairs |= {(american, british) for british, american in BRITISH_ENGLISH_SPELLINGS.items()}
    kept = sorted(
        (american, british)
        for american, british in pairs
        if all(w.isalpha() and w.islower() for w in (american, british))
        and key_tokens(american) != key_tokens(british)
    )
    return "".join(f"{american} {british}\n" for american, british in kept)
