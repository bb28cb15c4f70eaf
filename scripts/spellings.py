"""Rebuild kb/search/spellings.txt from Breame's table of dual spellings (a test
dependency):

    .venv/bin/python scripts/spellings.py

tests/search/test_query_reading.py fails while the file differs from what this writes.
"""

from kb.search.inflections import SPELLINGS, build_spellings

if __name__ == "__main__":
    text = build_spellings()
    SPELLINGS.write_text(text, encoding="utf-8")
    print(f"{SPELLINGS}: {text.count(chr(10))} pairs")
