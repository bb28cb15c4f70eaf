"""The index directory: generations, the ``current`` link, the indexer lock.

Layout of ``KB_INDEX_DIR``::

    current -> gen-<time>-<pid>    the live generation (a relative symlink)
    gen-.../                       a complete Whoosh index, with its change sequence
    indexer.lock                   held by the one process that writes (flock)

A rebuild writes a new generation beside the live one and renames a fresh symlink over
``current``: readers see either the old or the new index, never a half-built one. Open
searchers keep reading the old files until they move on (POSIX keeps unlinked files
readable), and the generation before the live one is kept for them.

Example:
    >>> store = IndexStore(Path("/tmp/index"))
    >>> store.ensure()
    >>> with store.locked():
    ...     ix = store.open_current()
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.reading import MultiReader, SegmentReader

from kb.search.schema import META_KIND, META_UID, build_schema

#: A generation that is neither live nor the one before it, and untouched this long,
#: is left over from an interrupted rebuild and is removed.
STALE_GENERATION_SECONDS = 3600.0


def open_index(path: Path) -> Any:
    """The Whoosh index in ``path``, reading its segment files without ``mmap``.

    Whoosh maps each segment file and hands out memoryviews of the map; closing a reader
    then fails quietly (``BufferError``) while any of those views is alive, and the map,
    with a descriptor on the file, lasts until the garbage collector breaks the cycles
    that hold the views, long after a merge has deleted the file. Plain file reads are
    closed when the reader is (and on an index this size they are as fast).
    """
    ix = FileStorage(str(path), supports_mmap=False).open_index()
    ix._reader = _reader_closing_on_error  # see the function
    return ix


def _reader_closing_on_error(
    storage: Any, schema: Any, segments: list[Any], generation: int, reuse: Any = None
) -> Any:
    """Whoosh's ``FileIndex._reader``, closing what it opened when it fails.

    A commit that merges segments deletes their files; a reader that read the commit's
    table of contents just before then fails to open a later segment (IOError), and
    ``FileIndex.reader`` tries again, as it is meant to. But whoosh-reloaded 2.7.5
    opens the segments in a list comprehension and leaves the readers it had already
    opened for the garbage collector, each with a file descriptor (seen as a
    ResourceWarning in tests/search/test_searchers.py under concurrent commits).
    """
    if reuse is not None or len(segments) <= 1:
        return FileIndex._reader(storage, schema, segments, generation, reuse=reuse)
    readers: list[Any] = []
    try:
        for segment in segments:
            readers.append(SegmentReader(storage, schema, segment, generation=generation))
    except BaseException:
        for reader in readers:
            reader.close()
        raise
    return MultiReader(readers, generation=generation)


class IndexLockedError(RuntimeError):
    """Another indexer holds the index directory's lock for too long."""


class IndexStore:
    """One index directory (see the module docstring for its layout).

    Args:
        root: the directory (``KB_INDEX_DIR``); created on :meth:`ensure`.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.current_link = root / "current"
        self.lock_file = root / "indexer.lock"

    def ensure(self) -> None:
        """Create the directory and an empty live generation if there is none yet."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not self.current_link.exists():
            with self.locked():
                if not self.current_link.exists():
                    self.swap(self.new_generation())

    def current_path(self) -> Path:
        """The directory of the live generation."""
        try:
            return self.root / os.readlink(self.current_link)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"no search index in {self.root}; run `kb reindex` to build it"
            ) from None

    def open_current(self) -> Any:
        """The live generation as a Whoosh index."""
        return open_index(self.current_path())

    def new_generation(self) -> Path:
        """An empty index in a new generation directory (not live until swapped in)."""
        path = self.root / f"gen-{time.time_ns()}-{os.getpid()}"
        path.mkdir(parents=True)
        ix = index.create_in(str(path), build_schema())
        with ix.writer() as writer:
            writer.add_document(uid=META_UID, kind=META_KIND, seq=0)
        return path

    def swap(self, generation: Path) -> None:
        """Make ``generation`` the live one, atomically (rename of a fresh symlink)."""
        previous = self.current_link.resolve() if self.current_link.exists() else None
        temporary = self.root / f".current-{os.getpid()}-{time.time_ns()}"
        os.symlink(generation.name, temporary)
        os.replace(temporary, self.current_link)
        _fsync_dir(self.root)
        self._prune(keep={generation.resolve(), *(p for p in [previous] if p)})

    def _prune(self, keep: set[Path]) -> None:
        now = time.time()
        for path in self.root.glob("gen-*"):
            if path.resolve() in keep:
                continue
            # The generation that was live before the previous swap is old news; an
            # unfinished one may belong to a rebuild still running in another process.
            if path.name < min(p.name for p in keep) or (
                now - path.stat().st_mtime > STALE_GENERATION_SECONDS
            ):
                shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def locked(self, timeout: float = 60.0) -> Iterator[None]:
        """Hold the indexer lock of this directory (released if the process dies)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexLockedError(
                            f"another indexer has held {self.lock_file} for over {timeout:g}s"
                        ) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
