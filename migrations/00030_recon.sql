-- Bank reconciliations of a district's books against its bank statement.

-- +goose Up
CREATE TABLE reconciliations (
    id               TEXT PRIMARY KEY,
    district_code    TEXT NOT NULL REFERENCES districts (code),
    statement_sha256 TEXT NOT NULL,
    window_days      INTEGER NOT NULL,
    period_from      TEXT NOT NULL,
    period_to        TEXT NOT NULL,
    matched          INTEGER NOT NULL,
    unmatched_bank   INTEGER NOT NULL,
    unmatched_ledger INTEGER NOT NULL,
    result           TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX reconciliations_by_district ON reconciliations (district_code, id);

-- +goose Down
DROP TABLE reconciliations;
