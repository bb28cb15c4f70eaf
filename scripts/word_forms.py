"""Rebuild the two tables of a word's other forms beside kb/search/inflections.py:
word_forms.txt from LemmInflect's dictionary, spellings.txt from Breame's table of
American and British spellings (both test dependencies):

    .venv/bin/python scripts/word_forms.py

tests/search/test_query_reading.py fails while either file differs from what this writes.
"""

from kb.search.inflections import SPELLINGS, WORD_FORMS, build_spellings, build_word_forms

if __name__ == "__main__":
    for path, build, unit in (
        (WORD_FORMS, build_word_forms, "groups"),
        (SPELLINGS, build_spellings, "pairs"),
    ):
        text = build()
        path.write_text(text, encoding="utf-8")
        print(f"{path}: {text.count(chr(10))} {unit}")
