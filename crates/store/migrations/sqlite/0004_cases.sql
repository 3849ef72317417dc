-- Harrier schema, version 4: cases as staff work them (states, transitions,
-- assignment, priority, deadlines), the subjects and reports in a case,
-- evidence with provenance, and the hash-chained audit log.

-- The patrol's 'open' is now 'new'; a subject has at most one active
-- (not closed) case it was opened on.
DROP INDEX cases_one_open_per_subject;
UPDATE cases SET state = 'new' WHERE state = 'open';
CREATE UNIQUE INDEX cases_one_active_per_subject ON cases (subject_id) WHERE state <> 'closed';

ALTER TABLE cases ADD COLUMN report_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN top_score REAL NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN reporter_trust REAL NOT NULL DEFAULT 1.0;
ALTER TABLE cases ADD COLUMN priority REAL NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN due_at TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN assignee INTEGER REFERENCES staff(id);

-- Cases the patrol opened before this version: their score, priority and
-- deadline (72 h; the policy's exact figures apply from the next change).
UPDATE cases SET top_score = COALESCE(
    (SELECT MAX(s.score) FROM case_signals cs JOIN signals s ON s.id = cs.signal_id WHERE cs.case_id = cases.id), 0);
UPDATE cases SET priority = 3 * (1 + top_score),
    due_at = strftime('%Y-%m-%dT%H:%M:%f000Z', opened_at, '+72 hours');

-- The queues: active cases by priority and by deadline (partial indexes,
-- so closed cases cost them nothing), by category, and by assignee.
CREATE INDEX cases_active_by_priority ON cases (priority DESC, id) WHERE state <> 'closed';
CREATE INDEX cases_active_by_due ON cases (due_at, id) WHERE state <> 'closed';
CREATE INDEX cases_by_state ON cases (state, priority DESC);
CREATE INDEX cases_by_category ON cases (category, priority DESC);
CREATE INDEX cases_by_assignee ON cases (assignee, priority DESC) WHERE assignee IS NOT NULL;

-- Every subject in a case (the one it was opened on included).
CREATE TABLE case_subjects (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    PRIMARY KEY (case_id, subject_id)
) WITHOUT ROWID;
CREATE INDEX case_subjects_by_subject ON case_subjects (subject_id);
INSERT INTO case_subjects (case_id, subject_id) SELECT id, subject_id FROM cases;

CREATE TABLE case_reports (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    report_id INTEGER NOT NULL REFERENCES reports(id),
    PRIMARY KEY (case_id, report_id)
) WITHOUT ROWID;
CREATE INDEX case_reports_by_report ON case_reports (report_id);

CREATE INDEX case_signals_by_case ON case_signals (case_id);
-- A subject's page lists its signals.
CREATE INDEX signals_by_subject ON signals (subject_id, id);

CREATE TABLE case_transitions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX case_transitions_by_case ON case_transitions (case_id, id);

-- Evidence: content-addressed (the bytes are in the blob folder under
-- their SHA-256), with where it came from and who captured it when.
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    source_ref TEXT,
    note TEXT,
    captured_by INTEGER NOT NULL REFERENCES staff(id),
    captured_at TEXT NOT NULL,
    UNIQUE (case_id, sha256)
);

-- The audit log: each entry carries the hash of the one before
-- (harrier_core::audit). The triggers refuse edits and deletions through
-- SQL; `harrier audit verify` catches whatever goes around them.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_by_object ON audit_log (object, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence is never altered'); END;
CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence is never altered'); END;
