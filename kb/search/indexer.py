"""Keep the index in step with the graph: apply the change log, or rebuild.

Every write to Neo4j records change entries in the same transaction
(:mod:`kb.graph.changes`). The indexer applies them in sequence order, reading the
current state of each touched node and updating (or deleting) its document by unique
id; the last applied sequence is a field of the index's meta document, so it is
committed together with the documents it covers. A process killed mid-batch leaves the
previous commit and its sequence; the next run re-applies the batch (idempotent).

Example:
    >>> indexer = Indexer(graph, IndexStore(settings.index_dir))
    >>> indexer.start()          # build if empty, else catch up
    >>> indexer.catch_up()       # after a write: apply what is new
    0
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.graph.changes import Change, change_log_epoch, changes_since, last_sequence
from kb.graph.db import DatabaseUnavailableError, Graph, QueryError
from kb.graph.presence import existing_keys
from kb.graph.search_docs import INDEXED_LABELS, linked_documents, read_documents
from kb.search.documents import document_fields, uid
from kb.search.schema import META_KIND, META_UID, build_schema, schema_signature
from kb.search.store import IndexStore, open_index

log = logging.getLogger(__name__)

#: Seconds a full read of the graph may take (it is not an API request).
BULK_TIMEOUT = 600.0

#: Called with the number of documents written so far in the current batch or build.
Progress = Callable[[int], None]

#: Told the change-log epoch and the change entries just applied (None: unknown ones).
ChangeListener = Callable[[str | None, list[Change] | None], None]


@dataclass(frozen=True)
class ReindexReport:
    """What a rebuild wrote: documents per kind, the sequence it covers, where it is."""

    documents: dict[str, int]
    sequence: int
    generation: Path


def read_sequence(ix: Any) -> int:
    """The last change sequence applied to the Whoosh index ``ix``."""
    with ix.searcher() as searcher:
        stored = searcher.document(uid=META_UID)
    return int(stored["seq"]) if stored else 0


def read_epoch(ix: Any) -> str | None:
    """The change-log epoch the sequence of ``ix`` belongs to."""
    with ix.searcher() as searcher:
        stored = searcher.document(uid=META_UID)
    return stored.get("epoch") if stored else None


class Indexer:
    """The one writer of an index directory (see the module docstring).

    Args:
        graph: the source of truth.
        store: the index directory.
        batch_size: change entries applied per Whoosh commit.
        progress: called after each document written (the CLI draws a bar with it).
        lock_timeout: seconds to wait for another indexer of the same directory.
    """

    def __init__(
        self,
        graph: Graph,
        store: IndexStore,
        batch_size: int = 200,
        progress: Progress | None = None,
        lock_timeout: float = 60.0,
    ) -> None:
        self.graph = graph
        self.store = store
        self.batch_size = batch_size
        self.progress = progress
        self.lock_timeout = lock_timeout
        self._thread_lock = threading.Lock()
        #: (change-log epoch, sequence) the live index has applied, as this process last
        #: saw it; None until known. Response caches use it as their version.
        self.applied_version: tuple[str | None, int] | None = None
        #: Called after each catch-up that committed to the live generation and after
        #: each swap (the search service prepares and publishes the new snapshot).
        self.listeners: list[Callable[[], object]] = []
        #: Told (epoch, changes) after each commit of change entries to the live
        #: generation, in sequence order; (epoch, None) after a rebuild, whose changes
        #: are unknown. Response caches drop what the changes affect with it.
        self.change_listeners: list[ChangeListener] = []

    def start(self) -> int:
        """Make the index usable: build it if it has never seen a change, else catch up.

        Returns the number of change entries (or documents, for a build) applied.
        """
        self.store.ensure()
        live = self.store.open_current()
        if read_sequence(live) == 0 and last_sequence(self.graph) > 0:
            report = self.reindex()
            return sum(report.documents.values())
        if schema_signature(live.schema) != schema_signature(build_schema()):
            log.warning("the search index was built with other fields or weights; rebuilding it")
            report = self.reindex()
            return sum(report.documents.values())
        return self.catch_up()

    def _replaced(self) -> bool:
        """True when the graph's change log is not the one this index follows (the
        database was emptied, restored or swapped): its sequences mean nothing here."""
        ix = self.store.open_current()
        if read_sequence(ix) == 0:
            return False
        return read_epoch(ix) != change_log_epoch(self.graph)

    def sequence(self) -> int:
        """The last change sequence the live generation has applied."""
        return read_sequence(self.store.open_current())

    def catch_up(self) -> int:
        """Apply every change entry newer than the index, in batches; return how many.

        When the graph's change log was replaced, the index is rebuilt instead.
        """
        self.store.ensure()
        if self._replaced():
            log.warning("the graph's change log was replaced; rebuilding the search index")
            report = self.reindex()
            return sum(report.documents.values())
        with self._thread_lock, self.store.locked(self.lock_timeout):
            return self._catch_up(self.store.current_path())

    def _catch_up(self, generation: Path) -> int:
        ix = open_index(generation)
        seq = read_sequence(ix)
        applied = 0
        committed: list[tuple[str | None, list[Change]]] = []
        try:
            while True:
                changes = changes_since(self.graph, seq, self.batch_size)
                if not changes:
                    return applied
                committed.append((self._apply(ix, changes), changes))
                seq = changes[-1].seq
                applied += len(changes)
        finally:
            if committed:
                # Once per catch-up, not per batch (a listener prepares the new snapshot
                # for searches, SearchService.warm), and before the version moves and
                # response caches drop what changed: a search answered meanwhile from
                # the snapshot before must not be kept as the answer of the new one.
                self._changed()
            self.applied_version = (read_epoch(ix), seq)
            for epoch, changes in committed:
                for listener in self.change_listeners:
                    listener(epoch, changes)

    def _apply(self, ix: Any, changes: list[Change]) -> str | None:
        """Commit the documents ``changes`` touch; return the change-log epoch."""
        touched: dict[str, set[str]] = {}
        by_label: dict[str, set[str]] = {}
        for change in changes:
            by_label.setdefault(change.label, set()).add(change.id)
        for label, ids in by_label.items():
            if label in INDEXED_LABELS:
                touched.setdefault(label, set()).update(ids)
            # A renamed state, alliance, category or contract changes the text of the
            # documents that name it.
            for doc_label, doc_ids in linked_documents(self.graph, label, sorted(ids)).items():
                touched.setdefault(doc_label, set()).update(doc_ids)
        documents = {
            label: read_documents(self.graph, label, sorted(ids)) for label, ids in touched.items()
        }
        epoch = change_log_epoch(self.graph)
        writer = ix.writer(timeout=self.lock_timeout)
        try:
            written = 0
            for label, ids in touched.items():
                found = {doc.id: doc for doc in documents[label]}
                for id in sorted(ids):
                    doc = found.get(id)
                    if doc is None:
                        writer.delete_by_term("uid", uid(INDEXED_LABELS[label], id))
                    else:
                        writer.update_document(**document_fields(doc))
                    written += 1
                    if self.progress:
                        self.progress(written)
            writer.update_document(
                uid=META_UID,
                kind=META_KIND,
                seq=changes[-1].seq,
                epoch=epoch,
            )
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        log.debug("applied changes up to %s (%s documents)", changes[-1].seq, written)
        return epoch

    def forget(self, keys: dict[str, list[str]]) -> int:
        """Delete from the live generation the documents of ``keys`` (label -> ids) whose
        node is gone from the graph; return how many were deleted.

        The search service calls it when a page of hits names a node that no longer
        exists (the index fell behind the graph without a change entry saying so). The
        change sequence does not move: under the indexer lock the graph is asked again,
        so a node created again meanwhile keeps its document, and its change entry,
        applied later, writes it anyway.
        """
        with self._thread_lock, self.store.locked(self.lock_timeout):
            present = existing_keys(self.graph, keys)
            gone = [
                uid(INDEXED_LABELS[label], id)
                for label, ids in keys.items()
                for id in sorted(set(ids) - present.get(label, set()))
            ]
            if not gone:
                return 0
            ix = open_index(self.store.current_path())
            writer = ix.writer(timeout=self.lock_timeout)
            try:
                for key in gone:
                    writer.delete_by_term("uid", key)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
        log.warning("search index held %s document(s) of deleted nodes: %s", len(gone), gone)
        self._changed()
        return len(gone)

    def reindex(self) -> ReindexReport:
        """Build a new generation from the whole graph and swap it in atomically.

        Searches go on against the old generation meanwhile; changes written during
        the build are applied to the new one before the swap.
        """
        self.store.ensure()
        generation = self.store.new_generation()
        # Read the sequence first: anything written after it is re-applied below.
        seq = last_sequence(self.graph)
        epoch = change_log_epoch(self.graph)
        counts: dict[str, int] = {}
        ix = open_index(generation)
        writer = ix.writer(timeout=self.lock_timeout, procs=1, limitmb=128)
        try:
            written = 0
            for label, kind in INDEXED_LABELS.items():
                docs = read_documents(self.graph, label, timeout=BULK_TIMEOUT)
                for doc in docs:
                    writer.add_document(**document_fields(doc))
                    written += 1
                    if self.progress:
                        self.progress(written)
                counts[kind] = len(docs)
            writer.update_document(uid=META_UID, kind=META_KIND, seq=seq, epoch=epoch)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        with self._thread_lock, self.store.locked(self.lock_timeout):
            self._catch_up(generation)
            self.store.swap(generation)
        self._changed()  # first: see _catch_up
        for listener in self.change_listeners:
            listener(epoch, None)
        return ReindexReport(counts, read_sequence(ix), generation)

    def _changed(self) -> None:
        for listener in self.listeners:
            try:
                listener()
            except Exception:  # the commit stands; the next poll prepares it again
                log.exception("search indexer: a listener of the new commit failed")

    def document_count(self) -> int:
        """Documents in the live generation (the meta document not counted)."""
        ix = self.store.open_current()
        return int(ix.doc_count()) - 1


class BackgroundIndexer:
    """Runs :meth:`Indexer.catch_up` every ``interval`` seconds in a daemon thread, so
    that writes made by other processes reach this process's index.

    Example:
        >>> background = BackgroundIndexer(indexer, interval=1.0)
        >>> background.start(); ...; background.stop()
    """

    def __init__(self, indexer: Indexer, interval: float = 1.0) -> None:
        self.indexer = indexer
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Called after each poll, whether it applied anything or not.
        self.after_poll: list[Callable[[], object]] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kb-indexer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.indexer.catch_up()
            except DatabaseUnavailableError:
                pass  # logged once per outage by the graph; caught up when it answers
            except QueryError as error:  # e.g. a timeout while Neo4j recovers from a crash
                message = str(error.message or error).splitlines()[0]
                log.warning("search indexer: catching up failed, retrying: %s", message)
            except Exception:  # keep polling: the next tick may succeed
                log.exception("search indexer: catching up failed")
            for listener in self.after_poll:
                try:
                    listener()
                except Exception:  # the next tick tries again
                    log.exception("search indexer: after-poll listener failed")

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
