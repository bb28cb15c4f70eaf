"""Other forms of a word a person types (its inflections), on the query side only.

The Porter stemmer joins "purchases" and "purchasing", but not "breaking" and "broken",
"smaller" and "small", or "lowest" and "low": a question in other forms of the records'
words then misses them. LemmInflect's English dictionary gives a word's lemmas and each
lemma's inflections; their index stems become alternatives of the typed word, credited
as the word itself (they are the same word, not a synonym). Only single typed words get
them; phrases of the thesaurus and quoted phrases are searched as written.

Example:
    >>> inflected_stems("breaking")
    ('break', 'broke', 'broken')
"""

from __future__ import annotations

from functools import lru_cache

import lemminflect

from kb.search.synonyms import key_tokens

#: Words whose forms are kept (a few hundred bytes each).
CACHED_WORDS = 16_384


@lru_cache(maxsize=CACHED_WORDS)
def inflected_stems(word: str) -> tuple[str, ...]:
    """The query stems of every form of ``word`` (lower case), its own stem included;
    empty for a word the dictionary does not know."""
    forms: set[str] = set()
    for lemmas in lemminflect.getAllLemmas(word).values():
        for lemma in lemmas:
            forms.add(lemma)
            for inflections in lemminflect.getAllInflections(lemma).values():
                forms.update(inflections)
    return tuple(sorted({stem for form in forms for stem in key_tokens(form)}))


def load() -> None:
    """Read the dictionary now (about 0.25 s and 50 MB), so that no search waits for it."""
    inflected_stems("purchases")
