-- Payments that need a second person (forced payments outside a fund's
-- categories, and any payment above the approval threshold): filed by one
-- person, approved (and then posted) or rejected by another.

-- +goose Up
CREATE TABLE payment_requests (
    id            TEXT PRIMARY KEY,
    district_code TEXT NOT NULL,
    project_code  TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    body          TEXT NOT NULL,
    why           TEXT NOT NULL,
    status        TEXT NOT NULL,
    prepared_by   TEXT NOT NULL,
    prepared_at   TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT,
    note          TEXT,
    transfer_id   TEXT
);
CREATE INDEX payment_requests_by_status ON payment_requests (status, id);
CREATE INDEX payment_requests_by_district ON payment_requests (district_code, id);

-- +goose Down
DROP TABLE payment_requests;
