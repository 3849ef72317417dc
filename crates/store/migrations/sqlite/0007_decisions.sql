-- Harrier schema, version 7: decisions with their statements of reasons,
-- the notices the affected person gets, appeals, orders to providers with
-- their webhook deliveries and answers, and message templates.

-- A decision: the statement of reasons is stored whole as JSON
-- (harrier_core::decisions::Statement); the columns beside it are what
-- lists and statistics filter and count on.
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    puid TEXT NOT NULL UNIQUE,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    statement TEXT NOT NULL,
    category TEXT NOT NULL,
    ground TEXT NOT NULL,
    -- space-separated kind:value labels (visibility:removed account:suspended)
    restrictions TEXT NOT NULL,
    automated_decision TEXT NOT NULL,
    source TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'in_force',
    decided_by INTEGER NOT NULL REFERENCES staff(id),
    decided_at TEXT NOT NULL,
    appeal_code TEXT NOT NULL UNIQUE,
    appeal_until TEXT NOT NULL,
    supersedes INTEGER REFERENCES decisions(id),
    superseded_by INTEGER REFERENCES decisions(id)
);
CREATE INDEX decisions_by_case ON decisions (case_id, id);
CREATE INDEX decisions_by_subject ON decisions (subject_id, id);
CREATE INDEX decisions_by_time ON decisions (decided_at, id);

-- What the affected person is told (the decision, an appeal's outcome),
-- by which channel: through the provider (inside an order) or by e-mail
-- (a file in the mail outbox). The e-mail address is personal data: it
-- never leaves in an export.
CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES decisions(id),
    appeal_id INTEGER REFERENCES appeals(id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    address TEXT,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX notices_by_decision ON notices (decision_id, id);
CREATE INDEX notices_unsent ON notices (id) WHERE sent_at IS NULL AND channel = 'email';

-- Appeals: at most one open per decision.
CREATE TABLE appeals (
    id INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES decisions(id),
    explanation TEXT NOT NULL,
    contact_email TEXT,
    language TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',
    reviewer INTEGER REFERENCES staff(id),
    outcome_reasons TEXT,
    decided_at TEXT,
    new_decision_id INTEGER REFERENCES decisions(id)
);
CREATE UNIQUE INDEX appeals_one_open_per_decision ON appeals (decision_id) WHERE state = 'open';
CREATE INDEX appeals_open ON appeals (filed_at, id) WHERE state = 'open';

CREATE TABLE appeal_files (
    appeal_id INTEGER NOT NULL REFERENCES appeals(id),
    position INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    name TEXT,
    PRIMARY KEY (appeal_id, position)
) WITHOUT ROWID;

-- Orders to providers. `state` is the latest answer; the answers
-- themselves are in order_responses.
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    decision_id INTEGER REFERENCES decisions(id),
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    action TEXT NOT NULL,
    preserve_days INTEGER,
    legal_basis TEXT NOT NULL,
    target TEXT NOT NULL,
    evidence_excerpt TEXT NOT NULL,
    notice TEXT,
    deadline TEXT NOT NULL,
    reverses INTEGER REFERENCES orders(id),
    state TEXT NOT NULL DEFAULT 'sent',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    acknowledged_at TEXT,
    actioned_at TEXT,
    answered_at TEXT
);
CREATE INDEX orders_by_provider ON orders (provider_id, id);
CREATE INDEX orders_by_case ON orders (case_id, id);
CREATE INDEX orders_by_decision ON orders (decision_id) WHERE decision_id IS NOT NULL;
CREATE INDEX orders_open_by_deadline ON orders (deadline, id) WHERE state NOT IN ('actioned', 'rejected');

-- The webhook delivery of each order (the outbox). The body is fixed when
-- the order is made, so every retry sends the same bytes under the same
-- delivery id; a provider without a webhook gets state 'poll'.
CREATE TABLE order_deliveries (
    order_id INTEGER PRIMARY KEY REFERENCES orders(id),
    delivery_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    lease_until TEXT,
    first_attempt_at TEXT,
    last_attempt_at TEXT,
    last_status INTEGER,
    last_error TEXT,
    delivered_at TEXT
);
CREATE INDEX deliveries_due ON order_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_dead ON order_deliveries (order_id) WHERE state = 'dead';

CREATE TABLE order_responses (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders(id),
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    status TEXT NOT NULL,
    detail TEXT NOT NULL,
    actioned_at TEXT,
    received_at TEXT NOT NULL
);
CREATE INDEX order_responses_by_order ON order_responses (order_id, id);

-- A provider's webhook: its address and signing secrets, sealed under the
-- server secret. During a rotation the previous secret also signs until
-- previous_until.
CREATE TABLE provider_webhooks (
    provider_id INTEGER PRIMARY KEY REFERENCES providers(id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until TEXT,
    updated_at TEXT NOT NULL
);

-- Texts for the affected person per kind (decision, appeal_outcome),
-- category ('*' for every category) and language. Shipped texts are
-- loaded from content/messages at start when none is stored.
CREATE TABLE message_templates (
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, category, language)
) WITHOUT ROWID;
