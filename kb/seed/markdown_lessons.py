"""A folder of Markdown files to import: which file is a practice, which a lesson, and a
lesson's text read from the sections of its body (``## Context``, ``## Lesson``,
``## Recommendation``), each problem named by file and line."""

from __future__ import annotations

import re
from pathlib import Path

from kb.domain.field_readers import SeedError
from kb.seed.files import RawRecord

#: Markdown headings of a lesson's body, and the field each one fills.
SECTIONS = {
    "context": "context",
    "lesson": "lesson",
    "lesson learned": "lesson",
    "recommendation": "recommendation",
    "recommendations": "recommendation",
}
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def sort_markdown(
    file: Path, shown: str, record: RawRecord, errors: list[SeedError]
) -> tuple[str, RawRecord]:
    """A Markdown file is a practice when it names a focus area, else a lesson, whose
    body sections fill its fields: ``("practice" | "lesson", record)``."""
    line, data = record
    if "focus_area" in data:
        return "practice", record
    body = data.pop("body", "")
    if body:
        for field, (text, at) in _sections(file, shown, data, errors).items():
            if data.get(field) not in (None, ""):
                errors.append(
                    SeedError(
                        shown,
                        at,
                        _key(data),
                        field,
                        "is given twice, in the front matter and as a section of the body; "
                        "keep one",
                    )
                )
            else:
                data[field] = text
    return "lesson", (line, data)


def _key(data: dict[str, object]) -> str:
    return repr(str(data["id"])) if data.get("id") else "(no key)"


def _sections(
    file: Path, shown: str, data: dict[str, object], errors: list[SeedError]
) -> dict[str, tuple[str, int]]:
    """The body's sections by field, with the line of each heading."""
    lines = file.read_text(encoding="utf-8").splitlines()
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    found: dict[str, tuple[list[str], int]] = {}
    current: list[str] | None = None
    for number, line in enumerate(lines[end + 1 :], start=end + 2):
        heading = _HEADING.match(line)
        if heading:
            title = heading.group(1).strip().lower()
            field = SECTIONS.get(title)
            if field is None:
                accepted = ", ".join(f"'## {t.capitalize()}'" for t in SECTIONS)
                errors.append(
                    SeedError(
                        shown,
                        number,
                        _key(data),
                        None,
                        f"heading {line.strip()!r} is not a lesson section; accepted: {accepted}",
                    )
                )
                current = []  # text under a rejected heading: already reported
            elif field in found:
                errors.append(
                    SeedError(shown, number, _key(data), field, "has two sections in the body")
                )
                current = []  # text under a rejected heading: already reported
            else:
                current = []
                found[field] = (current, number)
        elif current is not None:
            current.append(line)
        elif line.strip():
            errors.append(
                SeedError(
                    shown,
                    number,
                    _key(data),
                    None,
                    "text before the first heading; put a lesson's text under "
                    "'## Context', '## Lesson' or '## Recommendation'",
                )
            )
    return {field: ("\n".join(text).strip(), at) for field, (text, at) in found.items()}
