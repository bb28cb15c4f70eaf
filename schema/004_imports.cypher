// The undo journal of batched imports and seeds (kb/graph/journal.py): found by import
// id and batch number, so that a rollback or a clean-up never scans other nodes.
CREATE CONSTRAINT import_id IF NOT EXISTS FOR (n:Import) REQUIRE n.id IS UNIQUE;
CREATE INDEX import_batch IF NOT EXISTS FOR (n:ImportBatch) ON (n.importId, n.number);
CREATE INDEX import_undo IF NOT EXISTS FOR (n:ImportUndo) ON (n.undoImport, n.undoBatch);
CREATE INDEX import_undo_link IF NOT EXISTS FOR (n:ImportUndoLink) ON (n.undoImport, n.undoBatch);
