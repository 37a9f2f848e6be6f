-- Bank reconciliation as a district accountant does it: the district's bank
-- accounts (with the funds they serve and a saved column mapping for an
-- unusual statement layout), the statement's account and keys that recognise
-- the same statement uploaded twice, the matches of a reconciliation (the
-- automatic ones and those made by hand) and their undoing, kept append-only,
-- and the monthly balance statement (银行存款余额调节表) with its sign-off and
-- review.

-- +goose Up
CREATE TABLE bank_accounts (
    id            TEXT PRIMARY KEY,
    district_code TEXT NOT NULL REFERENCES districts (code),
    bank          TEXT NOT NULL,
    account_no    TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    funds         TEXT NOT NULL, -- JSON array of fund codes; [] serves every fund of the district
    mapping       TEXT NOT NULL, -- JSON object: field -> header text
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX bank_accounts_by_district ON bank_accounts (district_code, id);

ALTER TABLE reconciliations ADD COLUMN account_id TEXT REFERENCES bank_accounts (id);
-- The account (or district) and the file's SHA-256; the account, the period
-- and the digest of the lines read. Rows made before these keys stay NULL.
ALTER TABLE reconciliations ADD COLUMN file_key TEXT;
ALTER TABLE reconciliations ADD COLUMN lines_key TEXT;
CREATE UNIQUE INDEX reconciliations_file_key ON reconciliations (file_key);
CREATE UNIQUE INDEX reconciliations_lines_key ON reconciliations (lines_key);

CREATE TABLE recon_matches (
    id                TEXT PRIMARY KEY,
    reconciliation_id TEXT NOT NULL REFERENCES reconciliations (id),
    method            TEXT NOT NULL, -- reference, amount_date, group, manual
    bank_lines        TEXT NOT NULL, -- JSON array of statement line numbers
    transfers         TEXT NOT NULL, -- JSON array of transfer ids
    reason            TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX recon_matches_by_reconciliation ON recon_matches (reconciliation_id, id);

CREATE TABLE recon_unmatches (
    match_id          TEXT PRIMARY KEY REFERENCES recon_matches (id),
    reconciliation_id TEXT NOT NULL REFERENCES reconciliations (id),
    reason            TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX recon_unmatches_by_reconciliation ON recon_unmatches (reconciliation_id);

CREATE TABLE balance_statements (
    id                TEXT PRIMARY KEY,
    reconciliation_id TEXT NOT NULL REFERENCES reconciliations (id),
    district_code     TEXT NOT NULL REFERENCES districts (code),
    month             TEXT NOT NULL,
    body              TEXT NOT NULL,
    sha256            TEXT NOT NULL,
    signed_by         TEXT NOT NULL,
    signed_at         TEXT NOT NULL,
    UNIQUE (reconciliation_id, month)
);
CREATE INDEX balance_statements_by_district ON balance_statements (district_code, id);

CREATE TABLE balance_statement_reviews (
    statement_id TEXT PRIMARY KEY REFERENCES balance_statements (id),
    reviewed_by  TEXT NOT NULL,
    reviewed_at  TEXT NOT NULL
);

-- +goose Down
DROP TABLE balance_statement_reviews;
DROP TABLE balance_statements;
DROP TABLE recon_unmatches;
DROP TABLE recon_matches;
DROP INDEX reconciliations_lines_key;
DROP INDEX reconciliations_file_key;
ALTER TABLE reconciliations DROP COLUMN lines_key;
ALTER TABLE reconciliations DROP COLUMN file_key;
ALTER TABLE reconciliations DROP COLUMN account_id;
DROP TABLE bank_accounts;
