// The web forms' one-time submissions (kb/graph/submissions.py): a form posted twice is
// found by its submission id, and the constraint makes two racing posts claim it once.
CREATE CONSTRAINT form_submission_id IF NOT EXISTS FOR (n:FormSubmission) REQUIRE n.id IS UNIQUE;
// Saved searches of signed-in users (kb/graph/saved_searches.py), found by id and by the
// token a web session signs in with; a visitor's last visit by that token.
CREATE CONSTRAINT saved_search_id IF NOT EXISTS FOR (n:SavedSearch) REQUIRE n.id IS UNIQUE;
CREATE INDEX saved_search_token IF NOT EXISTS FOR (n:SavedSearch) ON (n.tokenId);
CREATE CONSTRAINT visitor_token IF NOT EXISTS FOR (n:Visitor) REQUIRE n.tokenId IS UNIQUE;
