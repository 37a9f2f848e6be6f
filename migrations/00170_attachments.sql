-- Evidence attachments (contracts, invoices, acceptance certificates, vote
-- minutes, rating sheets) on transfers, contracts and acceptances. Contents
-- are stored once per SHA-256; every attachment is a row in one hash chain
-- (prev_hash → hash over its subject, content hash and size, and for a
-- transfer its hash), whose head is kept in attachment_chain so that a row
-- deleted at the end is noticed too. Evidence uploaded before its payment
-- (subject 'transfer:new') is bound to the transfer that names it, once, by a
-- row in attachment_bindings; the transfer keeps the digest of its evidence
-- in evidence_digest, which its hash covers. Nothing here is updated or
-- deleted except the chain head, which advances under its row lock.

-- +goose Up
CREATE TABLE attachment_contents (
    sha256     TEXT PRIMARY KEY,
    bytes      BIGINT NOT NULL CHECK (bytes > 0),
    content    BYTEA NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE attachments (
    id            TEXT PRIMARY KEY,
    chain_seq     BIGINT NOT NULL UNIQUE,
    subject       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    file_name     TEXT,
    sha256        TEXT NOT NULL REFERENCES attachment_contents (sha256),
    bytes         BIGINT NOT NULL CHECK (bytes > 0),
    district_code TEXT,
    project_code  TEXT,
    subject_hash  TEXT,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX attachments_by_subject ON attachments (subject, id);
CREATE INDEX attachments_by_district ON attachments (district_code, id);

CREATE TABLE attachment_chain (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    head TEXT NOT NULL
);
INSERT INTO attachment_chain (id, seq, head) VALUES (1, 0, '');

CREATE TABLE attachment_bindings (
    attachment_id TEXT PRIMARY KEY REFERENCES attachments (id),
    transfer_id   TEXT NOT NULL REFERENCES transfers (id),
    district_code TEXT,
    project_code  TEXT,
    bound_by      TEXT NOT NULL,
    bound_at      TEXT NOT NULL
);
CREATE INDEX attachment_bindings_by_transfer ON attachment_bindings (transfer_id);

ALTER TABLE transfers ADD COLUMN evidence_digest TEXT;

-- +goose Down
ALTER TABLE transfers DROP COLUMN evidence_digest;
DROP TABLE attachment_bindings;
DROP TABLE attachment_chain;
DROP TABLE attachments;
DROP TABLE attachment_contents;
