// Range indexes for the filters the API offers.
CREATE INDEX state_kind IF NOT EXISTS FOR (n:State) ON (n.kind);
CREATE INDEX state_region IF NOT EXISTS FOR (n:State) ON (n.region);
CREATE INDEX alliance_scope IF NOT EXISTS FOR (n:Alliance) ON (n.scope);
CREATE INDEX contract_status IF NOT EXISTS FOR (n:Contract) ON (n.status);
CREATE INDEX contract_ends IF NOT EXISTS FOR (n:Contract) ON (n.endsOn);
CREATE INDEX practice_published IF NOT EXISTS FOR (n:Practice) ON (n.publishedOn);
CREATE INDEX lesson_recorded IF NOT EXISTS FOR (n:Lesson) ON (n.recordedOn);
CREATE INDEX lesson_status IF NOT EXISTS FOR (n:Lesson) ON (n.status);
// The change log read per record (history fields): by label and key.
CREATE INDEX change_record IF NOT EXISTS FOR (n:Change) ON (n.label, n.id);
