"""Reading raw records from CSV, YAML, JSON Lines and Markdown-with-front-matter files.

Each reader returns ``(line, mapping)`` pairs so that errors can name the line. Syntax
errors become :class:`SeedError`s, not exceptions, so one run reports every bad file.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml

from kb.domain.field_readers import SeedError

RawRecord = tuple[int | None, Any]


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that records each mapping's first line as ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(key): value for key, value in loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    # Dates stay text here so that an impossible one (2016-13-45) becomes a field error
    # naming the record, not a crash inside the YAML parser.
    return str(loader.construct_scalar(node))


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def display_name(path: Path, root: Path | None) -> str:
    """``seed/contracts.yaml`` rather than an absolute path, where possible."""
    if root is not None:
        try:
            return str(path.relative_to(root.parent))
        except ValueError:
            pass
    return str(path)


def read_text(path: Path, name: str, errors: list[SeedError]) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")  # a BOM, as spreadsheets write, is fine
    except UnicodeDecodeError as error:
        errors.append(SeedError(name, None, "(file)", None, f"is not UTF-8 text: {error}"))
    except OSError as error:
        errors.append(SeedError(name, None, "(file)", None, f"cannot be read: {error}"))
    return None


def read_csv(path: Path, name: str, errors: list[SeedError]) -> list[RawRecord]:
    """Rows of a CSV file with a header line, as ``(line, {column: value})``."""
    text = read_text(path, name, errors)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []  # the physical line each row starts on (quoted cells may span lines)
    try:
        start = 1
        for row in reader:
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        errors.append(
            SeedError(name, reader.line_num, "(file)", None, f"is not valid CSV: {error}")
        )
        return []
    if not rows:
        errors.append(SeedError(name, 1, "(file)", None, "is empty; expected a header line"))
        return []
    header = [column.strip() for column in rows[0]]
    records: list[RawRecord] = []
    for number, row in zip(lines[1:], rows[1:], strict=True):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(
                SeedError(
                    name,
                    number,
                    f"on line {number}",
                    None,
                    f"has {len(row)} cells; the header has {len(header)} ({', '.join(header)})",
                )
            )
            continue
        records.append((number, dict(zip(header, (cell.strip() for cell in row), strict=True))))
    return records


def parse_yaml(text: str, name: str, errors: list[SeedError], line_offset: int = 0) -> Any:
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        errors.append(SeedError(name, line, "(file)", None, f"is not valid YAML: {problem}"))
        return None


def _read_yaml(path: Path, name: str, errors: list[SeedError]) -> Any:
    text = read_text(path, name, errors)
    return None if text is None else parse_yaml(text, name, errors)


def read_yaml_list(path: Path, name: str, errors: list[SeedError]) -> list[RawRecord]:
    """Items of a YAML file holding a list of mappings."""
    data = _read_yaml(path, name, errors)
    if data is None:
        return []
    if not isinstance(data, list):
        errors.append(SeedError(name, 1, "(file)", None, "must hold a YAML list of records"))
        return []
    return [(item.get("__line__") if isinstance(item, dict) else None, item) for item in data]


def read_yaml_mapping(
    path: Path, name: str, errors: list[SeedError]
) -> list[tuple[int | None, str, Any]]:
    """Entries of a YAML file holding a mapping of key -> record, as ``(line, key, record)``."""
    data = _read_yaml(path, name, errors)
    if data is None:
        return []
    if not isinstance(data, dict):
        errors.append(SeedError(name, 1, "(file)", None, "must hold a YAML mapping of key: record"))
        return []
    return [
        (value.get("__line__") if isinstance(value, dict) else None, key, value)
        for key, value in data.items()
        if key != "__line__"
    ]


def read_jsonl(path: Path, name: str, errors: list[SeedError]) -> list[RawRecord]:
    """Objects of a JSON Lines file, one per non-blank line."""
    text = read_text(path, name, errors)
    if text is None:
        return []
    records: list[RawRecord] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            errors.append(
                SeedError(
                    name, number, f"on line {number}", None, f"is not valid JSON: {error.msg}"
                )
            )
    return records


def read_front_matter(path: Path, name: str, errors: list[SeedError]) -> RawRecord | None:
    """A Markdown file's YAML front matter, with the body under the key ``body``."""
    text = read_text(path, name, errors)
    if text is None:
        return None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        errors.append(
            SeedError(name, 1, path.stem, None, "must start with a '---' front matter line")
        )
        return None
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---"), None)
    if end is None:
        errors.append(SeedError(name, 1, path.stem, None, "front matter has no closing '---' line"))
        return None
    data = parse_yaml("".join(lines[1:end]), name, errors, line_offset=1)
    if data is None:
        if not any(e.file == name for e in errors):
            errors.append(SeedError(name, 2, path.stem, None, "front matter is empty"))
        return None
    if not isinstance(data, dict):
        errors.append(SeedError(name, 2, path.stem, None, "front matter must be a YAML mapping"))
        return None
    data["body"] = "".join(lines[end + 1 :]).strip()
    data["__line__"] = 1
    return (1, data)
