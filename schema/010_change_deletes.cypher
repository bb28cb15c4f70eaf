// Deleted records in feeds (kb/graph/feeds.py): the DELETE entries of the change log,
// found without a scan of every entry (deletes are few, changes many).
CREATE INDEX change_op IF NOT EXISTS FOR (n:Change) ON (n.op);
