-- The auditor's review of exception findings: append-only, one row per
-- step (acknowledge, explain, close) with who took it, when, and the
-- finding's amount and date as they stood, so a finding that changes
-- afterwards is seen to be open again. A finding is named by its stable id
-- (code and subject), not by a row of its own: findings are computed.

-- +goose Up
CREATE TABLE exception_reviews (
    exception_id  TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    action        TEXT NOT NULL,
    status        TEXT NOT NULL,
    note          TEXT NOT NULL,
    district_code TEXT,
    amount        BIGINT NOT NULL,
    on_date       TEXT NOT NULL,
    reviewed_by   TEXT NOT NULL,
    reviewed_at   TEXT NOT NULL,
    PRIMARY KEY (exception_id, seq)
);

-- +goose Down
DROP TABLE exception_reviews;
