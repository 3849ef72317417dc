-- Harrier schema, version 2: the patrol (providers, items, the queue,
-- signals, cases).

CREATE TABLE providers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- API keys: the SHA-256 of the key and its public prefix, never the key.
CREATE TABLE provider_keys (
    hash TEXT PRIMARY KEY,
    prefix TEXT NOT NULL UNIQUE,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
) WITHOUT ROWID;

-- One row per provider item; (provider_id, external_id) makes a resent
-- item a no-op.
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    external_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    ts INTEGER,
    text TEXT NOT NULL,
    truncated INTEGER NOT NULL DEFAULT 0,
    account TEXT,
    room TEXT,
    inviter TEXT,
    lang TEXT,
    url TEXT,
    images TEXT NOT NULL DEFAULT '[]',
    received_at TEXT NOT NULL,
    scanned_at TEXT,
    UNIQUE (provider_id, external_id)
);

-- The queue: an item waits here until a scan of it has committed. A lease
-- (worker, until) hides it from other workers; an expired lease does not.
-- No index on lease_until: leasing walks the queue by item_id and skips
-- the few leased rows at its head, which is cheaper than keeping an index
-- that every lease and completion would rewrite.
CREATE TABLE item_queue (
    item_id INTEGER PRIMARY KEY REFERENCES items(id),
    received_at TEXT NOT NULL,
    leased_by TEXT,
    lease_until TEXT,
    attempts INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE signals (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    rule TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    live INTEGER NOT NULL,
    score REAL NOT NULL,
    ruleset_version TEXT NOT NULL,
    explanation TEXT NOT NULL,
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    created_at TEXT NOT NULL,
    UNIQUE (item_id, rule, ruleset_version)
);
CREATE INDEX signals_by_rule ON signals (rule);

-- One open case per subject; signals (and later reports) attach to it.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    state TEXT NOT NULL DEFAULT 'open',
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    signal_count INTEGER NOT NULL DEFAULT 0,
    opened_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX cases_one_open_per_subject ON cases (subject_id) WHERE state = 'open';

CREATE TABLE case_signals (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    signal_id INTEGER NOT NULL REFERENCES signals(id),
    PRIMARY KEY (case_id, signal_id)
) WITHOUT ROWID;
