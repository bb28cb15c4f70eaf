"""The ``kb`` command: a thin layer over the library, one call per command.

Each module registers its commands on :data:`kb.cli.base.main`.
"""

from kb.cli import curricula as _curricula  # noqa: F401
from kb.cli import data as _data  # noqa: F401
from kb.cli import knowledge as _knowledge  # noqa: F401
from kb.cli import search as _search  # noqa: F401
from kb.cli import tokens as _tokens  # noqa: F401
from kb.cli.base import main

__all__ = ["main"]
