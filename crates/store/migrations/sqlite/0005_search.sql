-- Harrier schema, version 5: full-text search over reports, items and
-- cases, staff members' saved views, and one more queue index.
--
-- The index holds jieba-cut words separated by spaces (harrier_detect::
-- search), so FTS5's unicode61 tokenizer sees Chinese words too. It is
-- filled behind the writes by an indexer that remembers how far it got per
-- kind (search_progress); reporter contact details are never indexed.
-- `text` keeps the record's own words (the first 4,000 characters) for the
-- passage shown with a hit.
CREATE VIRTUAL TABLE search_index USING fts5(
    body,
    text UNINDEXED,
    kind UNINDEXED,
    ref UNINDEXED,
    category UNINDEXED,
    at UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE search_progress (
    kind TEXT PRIMARY KEY,
    last_id INTEGER NOT NULL
) WITHOUT ROWID;

-- One state's cases, newest first (e.g. the closed ones): without it that
-- queue sorted all of the state's cases on every request (BENCHMARKS.md).
CREATE INDEX cases_by_state_newest ON cases (state, id);
-- The queues sort by priority then id; priorities repeat a lot, so without
-- the id in the index every tie was sorted (a category's queue took 34 ms).
DROP INDEX cases_by_state;
DROP INDEX cases_by_category;
DROP INDEX cases_by_assignee;
CREATE INDEX cases_by_state ON cases (state, priority DESC, id);
CREATE INDEX cases_by_category ON cases (category, priority DESC, id);
CREATE INDEX cases_by_assignee ON cases (assignee, priority DESC, id) WHERE assignee IS NOT NULL;

-- A saved view is a console address (a queue or a search with its
-- filters) under a name, per staff member.
CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (staff_id, name)
);
