// Range indexes for list filters that had none (kb/graph/filters.py list_match):
// practices by focus area (the practices page, docs/api.md) and contracts by start date
// (starts: {from:, to:}), so a filter on them is an index seek, not a label scan.
CREATE INDEX practice_focus IF NOT EXISTS FOR (n:Practice) ON (n.focusArea);
CREATE INDEX contract_starts IF NOT EXISTS FOR (n:Contract) ON (n.startsOn);
