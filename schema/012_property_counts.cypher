// One node per growing label with its node count and how many of its nodes have each
// ordered property (kb/graph/property_counts.py): a page in descending order learns
// whether any node lacks the property without counting the property's index.
CREATE CONSTRAINT property_counts_label IF NOT EXISTS FOR (n:PropertyCounts) REQUIRE n.label IS UNIQUE;
