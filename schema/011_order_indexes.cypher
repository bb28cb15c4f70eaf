// Range indexes for the orderings of the large lists (kb/graph/ordered.py): a root page
// ordered by one of these properties reads its first rows from the index in order
// instead of sorting every node (recordedOn, publishedOn, startsOn, endsOn, status and
// the keys have indexes already).
CREATE INDEX contract_title IF NOT EXISTS FOR (n:Contract) ON (n.title);
CREATE INDEX contract_updated IF NOT EXISTS FOR (n:Contract) ON (n.updatedAt);
CREATE INDEX practice_title IF NOT EXISTS FOR (n:Practice) ON (n.title);
CREATE INDEX practice_updated IF NOT EXISTS FOR (n:Practice) ON (n.updatedAt);
CREATE INDEX lesson_title IF NOT EXISTS FOR (n:Lesson) ON (n.title);
CREATE INDEX lesson_updated IF NOT EXISTS FOR (n:Lesson) ON (n.updatedAt);
