"""Read CSV and JSON Lines files record by record, counting and hashing the bytes read.

:mod:`kb.seed.files` reads a file whole, which suits the seed; an import may be a
register of a hundred thousand rows, read twice (once to validate, once to write), so
these readers hold one record at a time. Each pass hashes the bytes it reads, so that
a file changed between the two passes is noticed before the import commits.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from kb.domain.field_readers import SeedError
from kb.seed.files import RawRecord

#: Called with (bytes read so far, bytes in the file).
ByteProgress = Callable[[int, int], None]


class _Tap(io.RawIOBase):
    """A raw file that counts and hashes what is read through it."""

    def __init__(self, raw: io.FileIO) -> None:
        self.raw = raw
        self.count = 0
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self.raw.readinto(buffer) or 0
        self.count += n
        self.digest.update(memoryview(buffer)[:n])
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


class RecordStream:
    """One pass over a CSV or JSON Lines file: iterate :meth:`records`, then read
    :attr:`digest` (the SHA-256 of every byte read)."""

    def __init__(self, path: Path, name: str, errors: list[SeedError]) -> None:
        self.path = path
        self.name = name
        self.errors = errors
        self.size = path.stat().st_size
        self._tap: _Tap | None = None

    @property
    def digest(self) -> str:
        return self._tap.digest.hexdigest() if self._tap is not None else ""

    @property
    def bytes_read(self) -> int:
        return self._tap.count if self._tap is not None else 0

    @contextmanager
    def _open(self, newline: str | None) -> Iterator[IO[str]]:
        self._tap = _Tap(io.FileIO(self.path, "r"))
        buffered = io.BufferedReader(self._tap, buffer_size=1 << 16)
        # A BOM, as spreadsheets write, is fine.
        with io.TextIOWrapper(buffered, encoding="utf-8-sig", newline=newline) as text:
            yield text

    def records(self) -> Iterator[RawRecord]:
        """``(line, mapping)`` per record; syntax errors go to ``errors``."""
        reader = _csv if self.path.suffix.lower() == ".csv" else _jsonl
        try:
            yield from reader(self)
        except UnicodeDecodeError as error:
            self.errors.append(
                SeedError(self.name, None, "(file)", None, f"is not UTF-8 text: {error}")
            )
        except OSError as error:
            self.errors.append(
                SeedError(self.name, None, "(file)", None, f"cannot be read: {error}")
            )


def _csv(stream: RecordStream) -> Iterator[RawRecord]:
    name = stream.name
    with stream._open(newline="") as text:
        reader = csv.reader(text, strict=True)
        try:
            first = next(reader, None)
            if first is None:
                stream.errors.append(
                    SeedError(name, 1, "(file)", None, "is empty; expected a header line")
                )
                return
            header = [column.strip() for column in first]
            start = reader.line_num + 1  # quoted cells may span lines: rows start here
            for row in reader:
                number, start = start, reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    stream.errors.append(
                        SeedError(
                            name,
                            number,
                            f"on line {number}",
                            None,
                            f"has {len(row)} cells; the header has {len(header)} "
                            f"({', '.join(header)})",
                        )
                    )
                    continue
                yield number, dict(zip(header, (cell.strip() for cell in row), strict=True))
        except csv.Error as error:
            stream.errors.append(
                SeedError(name, reader.line_num, "(file)", None, f"is not valid CSV: {error}")
            )


def _jsonl(stream: RecordStream) -> Iterator[RawRecord]:
    with stream._open(newline=None) as text:
        for number, line in enumerate(text, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                stream.errors.append(
                    SeedError(
                        stream.name,
                        number,
                        f"on line {number}",
                        None,
                        f"is not valid JSON: {error.msg}",
                    )
                )
