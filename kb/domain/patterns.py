"""The key patterns of the model, each with the words an error uses for it.

Every reader of keys (seed files, imports, mutations, the curriculum API) checks them
with these, so a key accepted in one place is accepted everywhere.
"""

from __future__ import annotations

from typing import NamedTuple


class KeyPattern(NamedTuple):
    """A regular expression a key must match in full, and what it expects in words."""

    regex: str
    expected: str


SLUG = KeyPattern(
    r"[a-z0-9][a-z0-9-]{0,79}",
    "a slug (lower-case letters, digits and hyphens, e.g. 'nvp-cloud-solutions')",
)
STATE_CODE = KeyPattern(r"[A-Z]{2}", "a two-letter USPS code (e.g. 'UT')")
CATEGORY_CODE = KeyPattern(
    r"[0-9]{3}|[A-Z][A-Z0-9_]{1,19}", "a 3-digit NIGP class or an upper-case group code"
)
LESSON_ID = KeyPattern(r"L-\d{4,8}", "a lesson id like 'L-0042'")
