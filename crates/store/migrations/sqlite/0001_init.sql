-- Harrier schema, version 1: intake, subjects, directory, staff.
-- Times are UTC text in one fixed format (see sqlite/time.rs) so they sort.
-- Every report touches these tables in the writer's hot path: keep the
-- indexes few (tables keyed by their natural key are WITHOUT ROWID, and the
-- subject list sorts by report_count at query time instead of keeping an
-- index that every report would rewrite).

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE staff_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    expires_at TEXT NOT NULL
);

CREATE TABLE subjects (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    platform TEXT NOT NULL,
    key TEXT NOT NULL,
    report_count INTEGER NOT NULL DEFAULT 0,
    first_reported_at TEXT NOT NULL,
    last_reported_at TEXT NOT NULL,
    UNIQUE (kind, platform, key)
);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    receipt TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'received',
    outcome TEXT,
    platform TEXT,
    occurred_on TEXT,
    description TEXT NOT NULL,
    good_faith INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    logged_by INTEGER REFERENCES staff(id)
);
CREATE INDEX reports_by_status ON reports (status, id);
CREATE INDEX reports_by_category ON reports (category, id);

-- Reporter identities live apart from reports: only the intake role reads them.
CREATE TABLE reporter_contacts (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id),
    name TEXT,
    email TEXT,
    phone TEXT
);

CREATE TABLE report_locations (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    PRIMARY KEY (report_id, position)
) WITHOUT ROWID;
CREATE INDEX report_locations_by_subject ON report_locations (subject_id);

CREATE TABLE report_files (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    position INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    name TEXT,
    PRIMARY KEY (report_id, position)
) WITHOUT ROWID;

CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    report_id INTEGER NOT NULL REFERENCES reports(id)
) WITHOUT ROWID;

CREATE TABLE directory_services (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    city TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    phone TEXT NOT NULL,
    hours TEXT NOT NULL,
    languages TEXT NOT NULL,
    url TEXT,
    imported_at TEXT NOT NULL
);
CREATE INDEX directory_by_source ON directory_services (source);
