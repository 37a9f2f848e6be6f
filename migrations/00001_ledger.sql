-- The ledger and the funding registry. Amounts are BIGINT fen; timestamps are
-- RFC 3339 UTC text with fixed width (sortable); dates are YYYY-MM-DD text.
-- Nothing in transfers or postings is ever updated or deleted.

-- +goose Up
CREATE TABLE districts (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE projects (
    code               TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    district_code      TEXT NOT NULL REFERENCES districts (code),
    households         BIGINT NOT NULL CHECK (households >= 0),
    floor_area_m2      TEXT NOT NULL,
    buildings          BIGINT NOT NULL CHECK (buildings >= 0),
    built_year         INTEGER NOT NULL,
    budget_basic       BIGINT NOT NULL CHECK (budget_basic >= 0),
    budget_improvement BIGINT NOT NULL CHECK (budget_improvement >= 0),
    budget_upgrade     BIGINT NOT NULL CHECK (budget_upgrade >= 0),
    created_at         TEXT NOT NULL
);
CREATE INDEX projects_by_district ON projects (district_code, code);

CREATE TABLE funds (
    code                TEXT PRIMARY KEY,
    kind                TEXT NOT NULL,
    name                TEXT NOT NULL,
    holder              TEXT NOT NULL,
    district_code       TEXT REFERENCES districts (code),
    fiscal_year         INTEGER NOT NULL,
    document_no         TEXT NOT NULL,
    budget_subject      TEXT NOT NULL,
    direct              BOOLEAN NOT NULL,
    eligible_categories TEXT NOT NULL,
    expires_on          TEXT,
    repayable           BOOLEAN NOT NULL,
    vote                TEXT,
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL
);
CREATE INDEX funds_by_district ON funds (district_code, code);

-- A holding is one fund's money at one holder. Its balance changes only under
-- the row lock that also advances its hash chain.
CREATE TABLE holdings (
    fund_code     TEXT NOT NULL REFERENCES funds (code),
    holder        TEXT NOT NULL,
    district_code TEXT,
    project_code  TEXT,
    balance       BIGINT NOT NULL CHECK (balance >= 0),
    chain_seq     BIGINT NOT NULL,
    chain_head    TEXT NOT NULL,
    PRIMARY KEY (fund_code, holder)
);
CREATE INDEX holdings_by_holder ON holdings (holder, fund_code);
CREATE INDEX holdings_by_district ON holdings (district_code);

CREATE TABLE voucher_counters (
    fiscal_year INTEGER PRIMARY KEY,
    last_seq    BIGINT NOT NULL
);

CREATE TABLE transfers (
    id                 TEXT PRIMARY KEY,
    fiscal_year        INTEGER NOT NULL,
    voucher_seq        BIGINT NOT NULL,
    voucher_no         TEXT NOT NULL,
    type               TEXT NOT NULL,
    base_type          TEXT NOT NULL,
    fund_code          TEXT,
    from_holder        TEXT,
    to_holder          TEXT,
    district_code      TEXT,
    project_code       TEXT,
    category           TEXT,
    amount             BIGINT NOT NULL CHECK (amount > 0),
    booked_on          TEXT NOT NULL,
    payer_name         TEXT,
    payer_credit_code  TEXT,
    payee_name         TEXT,
    payee_credit_code  TEXT,
    payee_bank_account TEXT,
    household          TEXT,
    reference          TEXT,
    document_no        TEXT,
    source_voucher_no  TEXT,
    purpose            TEXT,
    forced_reason      TEXT,
    reversal_of        TEXT REFERENCES transfers (id),
    plan_id            TEXT,
    batch_id           TEXT,
    recorded_by        TEXT NOT NULL,
    recorded_at        TEXT NOT NULL,
    hash               TEXT NOT NULL,
    UNIQUE (fiscal_year, voucher_seq)
);
-- Partial indexes: most transfers leave some of these empty, and an index
-- that skips them costs nothing on the hot path.
CREATE UNIQUE INDEX transfers_one_reversal ON transfers (reversal_of) WHERE reversal_of IS NOT NULL;
CREATE INDEX transfers_by_district ON transfers (district_code, id) WHERE district_code IS NOT NULL;
CREATE INDEX transfers_by_project ON transfers (project_code, id) WHERE project_code IS NOT NULL;
CREATE INDEX transfers_by_fund ON transfers (fund_code, id);

-- One row per holding a transfer touches, plus the outside world's side
-- (holder 'external'), so every transfer's postings sum to zero.
CREATE TABLE postings (
    transfer_id TEXT NOT NULL REFERENCES transfers (id),
    line        INTEGER NOT NULL,
    fund_code   TEXT NOT NULL,
    holder      TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    chain_seq   BIGINT,
    prev_hash   TEXT,
    hash        TEXT,
    PRIMARY KEY (transfer_id, line)
);
CREATE UNIQUE INDEX postings_by_chain ON postings (fund_code, holder, chain_seq);

-- Periodic snapshots of every chain head, themselves chained.
CREATE TABLE checkpoints (
    seq        BIGINT PRIMARY KEY,
    created_at TEXT NOT NULL,
    holdings   BIGINT NOT NULL,
    heads      TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    district_code TEXT,
    hash          TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT,
    revoked_at    TEXT
);

CREATE TABLE idempotency_keys (
    token_id     TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (token_id, key)
);

CREATE TABLE audit_events (
    id         TEXT PRIMARY KEY,
    at         TEXT NOT NULL,
    token_name TEXT,
    role       TEXT,
    district   TEXT,
    method     TEXT NOT NULL,
    route      TEXT NOT NULL,
    path       TEXT NOT NULL,
    status     INTEGER NOT NULL,
    request_id TEXT NOT NULL
);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE idempotency_keys;
DROP TABLE tokens;
DROP TABLE checkpoints;
DROP TABLE postings;
DROP TABLE transfers;
DROP TABLE voucher_counters;
DROP TABLE holdings;
DROP TABLE funds;
DROP TABLE projects;
DROP TABLE districts;
