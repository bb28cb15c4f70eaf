"""The field readers and limits: the one set of rules a raw record's fields are read by,
whether it comes from the seed files, an import file or a mutation's input.

:class:`RecordReader` reads one field at a time (text, choice, pattern, date, number,
list, reference to a known key, provenance) and records an error for each bad one, so
that every error is collected before anything is written. An error names the file, the
line, the record, the field, the bad value and what would be accepted::

    seed/contracts.yaml:14: record 'nvp-tires', field 'lead_state': 'XX' is not a known
    state code; expected one of AK, AL, AR, ...
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kb.domain.patterns import WEB_ADDRESS_EXPECTED, is_web_address
from kb.domain.records import Provenance

#: The longest title (characters) a record may have.
MAX_TITLE = 300
#: The longest text field (a body, a lesson's parts) a record may have.
MAX_TEXT = 100_000


@dataclass(frozen=True)
class SeedError:
    """One problem with one field of one record."""

    file: str
    line: int | None
    record: str
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f"record {self.record}" + (f", field '{self.field}'" if self.field else "")
        return f"{where}: {what}: {self.message}"


class SeedValidationError(ValueError):
    """The seed (or an import) has invalid records; nothing was written."""

    def __init__(self, errors: list[SeedError]) -> None:
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} invalid record(s); nothing was written:\n{shown}{more}")


@dataclass
class KnownKeys:
    """The keys a record may refer to (from the same seed, or already in the graph)."""

    states: set[str] = field(default_factory=set)
    alliances: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    contracts: set[str] = field(default_factory=set)
    practices: set[str] = field(default_factory=set)


def accepted(values: Collection[str], limit: int = 12) -> str:
    """'a, b, c' (sorted), shortened past ``limit`` values."""
    ordered = sorted(values)
    if len(ordered) > limit:
        return ", ".join(ordered[:limit]) + f", ... ({len(ordered)} in all)"
    return ", ".join(ordered) if ordered else "(none)"


def _known(known: Collection[str], what: str) -> str:
    # State codes are few enough to list in full; slugs are listed in part.
    return accepted(known, limit=60 if what == "state code" else 12)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class RecordReader:
    """Reads the fields of one raw record, recording an error for each bad one.

    Args:
        errors: the list errors are appended to.
        file: the file name shown in errors; line: the record's first line.
        record: how the record is named in errors (its key, or its position).
        data: the raw mapping.
    """

    def __init__(
        self, errors: list[SeedError], file: str, line: int | None, record: str, data: Any
    ) -> None:
        self.errors = errors
        self.file = file
        self.line = line
        self.record = record
        self.ok = True
        if not isinstance(data, dict):
            self.error(None, f"expected a mapping of fields, got {type(data).__name__}")
            data = {}
        self.data: dict[str, Any] = data
        self.seen: set[str] = {"__line__"}

    def error(self, name: str | None, message: str) -> None:
        self.ok = False
        self.errors.append(SeedError(self.file, self.line, self.record, name, message))

    def _raw(self, name: str) -> Any:
        self.seen.add(name)
        value = self.data.get(name)
        return None if value == "" else value

    def text(self, name: str, required: bool = True, max_len: int = MAX_TEXT) -> str | None:
        value = self._raw(name)
        if value is None:
            if required:
                self.error(name, "is missing; a non-empty text is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(name, f"{value!r} is not text")
            return None
        text = str(value).strip()
        if required and not text:
            self.error(name, "is empty; a non-empty text is required")
            return None
        if len(text) > max_len:
            self.error(name, f"is {len(text)} characters long; at most {max_len} are accepted")
            return None
        return text

    def choice(self, name: str, choices: Collection[str], required: bool = True) -> str | None:
        value = self.text(name, required)
        if value is not None and value not in choices:
            self.error(name, f"{value!r} is not accepted; expected one of {accepted(choices)}")
            return None
        return value

    def pattern(self, name: str, regex: str, expected: str) -> str | None:
        value = self.text(name)
        if value is not None and not re.fullmatch(regex, value):
            self.error(name, f"{value!r} is not {expected}")
            return None
        return value

    def day(self, name: str, required: bool = False) -> date | None:
        value = self._raw(name)
        if value is None:
            if required:
                self.error(name, "is missing; a date YYYY-MM-DD is required")
            return None
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            if not _DATE.match(text):
                raise ValueError
            return date.fromisoformat(text)
        except ValueError:
            self.error(name, f"{text!r} is not a date; expected YYYY-MM-DD (e.g. 2024-03-31)")
            return None

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self._raw(name)
        if value is None:
            return None
        try:
            number = int(str(value).strip())
        except ValueError:
            self.error(name, f"{value!r} is not a whole number")
            return None
        if not low <= number <= high:
            self.error(name, f"{number} is out of range; expected {low}..{high}")
            return None
        return number

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "yes", "1"}:
            return True
        if text in {"false", "no", "0"}:
            return False
        self.error(name, f"{value!r} is not a boolean; expected true or false")
        return default

    def text_list(self, name: str) -> tuple[str, ...]:
        value = self._raw(name)
        if value is None:
            return ()
        if isinstance(value, str):
            # CSV cells hold lists as 'a; b' (or 'a, b').
            value = [part for part in re.split(r"[;,]", value)]
        if not isinstance(value, list):
            self.error(name, f"{value!r} is not a list")
            return ()
        items = [str(item).strip() for item in value if str(item).strip()]
        duplicates = sorted({item for item in items if items.count(item) > 1})
        if duplicates:
            self.error(name, f"lists {', '.join(duplicates)} more than once")
        return tuple(dict.fromkeys(items))

    def ref(
        self, name: str, known: Collection[str], what: str, required: bool = False
    ) -> str | None:
        value = self.text(name, required)
        if value is not None and value not in known:
            self.error(
                name, f"{value!r} is not a known {what}; expected one of {_known(known, what)}"
            )
            return None
        return value

    def refs(self, name: str, known: Collection[str], what: str) -> tuple[str, ...]:
        values = self.text_list(name)
        unknown = [value for value in values if value not in known]
        for value in unknown:
            self.error(
                name, f"{value!r} is not a known {what}; expected one of {_known(known, what)}"
            )
        return tuple(value for value in values if value not in unknown)

    def url(self, name: str, required: bool = False) -> str | None:
        """An http(s) address a reader can open."""
        value = self.text(name, required, max_len=2000)
        if value is not None and not is_web_address(value):
            self.error(name, f"{value!r} is not {WEB_ADDRESS_EXPECTED}")
            return None
        return value

    def choices(self, name: str, choices: Collection[str]) -> tuple[str, ...]:
        """A list of values, each one of ``choices``."""
        values = self.text_list(name)
        for value in values:
            if value not in choices:
                self.error(name, f"{value!r} is not accepted; expected one of {accepted(choices)}")
        return tuple(value for value in values if value in choices)

    def provenance(self, web: bool = False) -> Provenance:
        """``source`` and ``illustrative``; with ``web``, a source must be a web address."""
        source = self.url("source") if web else self.text("source", required=False, max_len=2000)
        illustrative = self.boolean("illustrative")
        if not source and not illustrative and self._raw("source") is None:
            self.error("source", "is missing; give a source or mark the record illustrative: true")
        return Provenance(source=source, illustrative=illustrative)

    def finish(self, allowed_extra: Iterable[str] = ()) -> None:
        """Report fields nobody read (typos) and name the accepted ones."""
        unknown = sorted(set(self.data) - self.seen - set(allowed_extra))
        for name in unknown:
            self.error(
                name, f"is not a known field; accepted fields: {accepted(self.seen - {'__line__'})}"
            )
