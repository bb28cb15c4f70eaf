"""The key patterns of the model, each with the words an error uses for it.

Every reader of keys (seed files, imports, mutations, the curriculum API) checks them
with these, so a key accepted in one place is accepted everywhere.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit


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


_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?$")
WEB_ADDRESS_EXPECTED = "a web address (http(s)://host/path)"


def is_web_address(value: str) -> bool:
    """Whether ``value`` is an http(s) address a reader can open (a host with a dot).

    Example:
        >>> is_web_address("https://www.naspovaluepoint.org/"), is_web_address("a brief")
        (True, False)
    """
    parts = urlsplit(value)
    return (
        parts.scheme in {"http", "https"} and bool(_HOST.match(parts.netloc)) and " " not in value
    )
