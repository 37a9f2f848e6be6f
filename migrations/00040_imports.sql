-- Bulk receipt imports. One row per import (refused files leave none) and one
-- per imported file row: its content key, unique per fund, is what makes
-- importing the same file again write nothing twice.

-- +goose Up
CREATE TABLE imports (
    id          TEXT PRIMARY KEY,
    fund_code   TEXT NOT NULL REFERENCES funds (code),
    file_sha256 TEXT NOT NULL,
    file_name   TEXT,
    format      TEXT NOT NULL,
    partial     BOOLEAN NOT NULL,
    rows_total  BIGINT NOT NULL,
    imported    BIGINT NOT NULL,
    duplicates  BIGINT NOT NULL,
    rejected    BIGINT NOT NULL,
    amount      BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX imports_by_fund ON imports (fund_code, id);

-- row_key: sha256 of the row's content, '#', and the occurrence of that
-- content within the file; line: where the row was in its file. Rows are
-- written only in the transaction that posts their transfers and their
-- import, and nothing here is ever deleted, so transfer_id and import_id
-- carry no foreign keys: checking them row by row more than doubled the time
-- to write these rows (measured on 100,000 rows, SQLite and PostgreSQL).
CREATE TABLE import_rows (
    fund_code   TEXT NOT NULL,
    row_key     TEXT NOT NULL,
    transfer_id TEXT NOT NULL,
    import_id   TEXT NOT NULL,
    line        INTEGER NOT NULL,
    PRIMARY KEY (fund_code, row_key)
);
CREATE INDEX import_rows_by_import ON import_rows (import_id);

-- +goose Down
DROP TABLE import_rows;
DROP TABLE imports;
