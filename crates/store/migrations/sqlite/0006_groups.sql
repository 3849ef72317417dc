-- Harrier schema, version 6: groups of accounts found acting together by
-- the ring analysis (harrier_detect::ring), stored as subjects of kind
-- 'group' with their members and the items that show it.
--
-- A group is known by the fingerprint of its member set (SHA-256 of the
-- sorted provider:account names): a later run that finds the same members
-- updates it; a changed membership is a new group.
CREATE TABLE ring_groups (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    category TEXT NOT NULL,
    size INTEGER NOT NULL,
    score REAL NOT NULL,
    scores TEXT NOT NULL,
    explanation TEXT NOT NULL,
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    first_found_at TEXT NOT NULL,
    last_found_at TEXT NOT NULL,
    runs INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ring_groups_by_score ON ring_groups (score DESC, id);

CREATE TABLE ring_members (
    group_id INTEGER NOT NULL REFERENCES ring_groups(id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    PRIMARY KEY (group_id, subject_id)
) WITHOUT ROWID;
CREATE INDEX ring_members_by_subject ON ring_members (subject_id);

-- An account's page lists its items: by provider and the account as
-- written, lower-cased (SQLite folds ASCII only; Rust's folding of other
-- letters may differ, which only hides an item from the page, never
-- shows another account's).
CREATE INDEX items_by_account ON items (provider_id, lower(account));

-- The members' items in the window the group was found in (at most a few
-- hundred per group: the evidence, not the whole feed).
CREATE TABLE ring_items (
    group_id INTEGER NOT NULL REFERENCES ring_groups(id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    PRIMARY KEY (group_id, item_id)
) WITHOUT ROWID;
