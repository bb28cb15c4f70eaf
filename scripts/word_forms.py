"""Rebuild kb/search/word_forms.txt from LemmInflect's dictionary (a test dependency):

    .venv/bin/python scripts/word_forms.py

tests/search/test_query_reading.py fails while the file differs from what this writes.
"""

from kb.search.inflections import WORD_FORMS, build_word_forms

if __name__ == "__main__":
    text = build_word_forms()
    WORD_FORMS.write_text(text, encoding="utf-8")
    print(f"{WORD_FORMS}: {text.count(chr(10))} groups")
