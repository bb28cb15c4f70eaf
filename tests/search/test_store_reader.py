"""A reader that fails half-way (a merge deleted a segment) closes what it opened."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import FileStorage

from kb.search.store import open_index


def _segment_files(path: Path, name: str) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.name.startswith(name))


def _open_fds(under: Path) -> int:
    prefix = str(under.resolve())
    count = 0
    for entry in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{entry}").startswith(prefix)
        except FileNotFoundError:
            continue
    return count


def test_a_reader_that_cannot_open_a_later_segment_closes_the_earlier_ones(
    tmp_path: Path,
) -> None:
    FileStorage(str(tmp_path)).create_index(Schema(id=ID(stored=True)))
    for n in range(2):  # two commits, two segments (no merge)
        ix = open_index(tmp_path)
        writer = ix.writer()
        writer.add_document(id=str(n))
        writer.commit(merge=False)
    ix = open_index(tmp_path)
    toc = ix._read_toc()
    assert len(toc.segments) == 2
    # The second segment's files go, as a merging commit deletes them.
    for path in _segment_files(tmp_path, toc.segments[1].segment_id()):
        path.unlink()
    with pytest.raises(OSError):
        ix._reader(ix.storage, toc.schema, toc.segments, toc.generation)
    assert _open_fds(tmp_path) == 0  # the first segment's reader was closed, not leaked
