-- The works cycle of a community (工程): a register of payees (contractors
-- and suppliers), contracts per project, acceptances (验收) and settlements
-- (结算). A payment names its contract on the transfer, with what it pays:
-- "payment" (progress and final payments) or "retention" (质保金 released or
-- spent on repairs). Rows here are written once and never changed.

-- +goose Up
CREATE TABLE payees (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    credit_code  TEXT NOT NULL,
    bank_account TEXT NOT NULL,
    sme          BOOLEAN NOT NULL,
    district     TEXT,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (credit_code, bank_account)
);

CREATE TABLE contracts (
    id               TEXT PRIMARY KEY,
    project_code     TEXT NOT NULL REFERENCES projects (code),
    payee_id         TEXT NOT NULL REFERENCES payees (id),
    category         TEXT NOT NULL,
    sum              BIGINT NOT NULL CHECK (sum > 0),
    signed_on        TEXT NOT NULL,
    tender_ref       TEXT,
    review_ref       TEXT,
    terms            TEXT,
    progress_ceiling TEXT NOT NULL,
    retention_rate   TEXT NOT NULL,
    liability_months INTEGER NOT NULL CHECK (liability_months BETWEEN 1 AND 24),
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX contracts_by_project ON contracts (project_code, id);

CREATE TABLE acceptances (
    id           TEXT PRIMARY KEY,
    contract_id  TEXT NOT NULL REFERENCES contracts (id),
    accepted_on  TEXT NOT NULL,
    result       TEXT NOT NULL CHECK (result IN ('passed', 'failed')),
    participants TEXT NOT NULL,
    owner_reps   INTEGER NOT NULL CHECK (owner_reps >= 0),
    defects      TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX acceptances_by_contract ON acceptances (contract_id, accepted_on);

CREATE TABLE settlements (
    contract_id TEXT PRIMARY KEY REFERENCES contracts (id),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    retention   BIGINT NOT NULL CHECK (retention >= 0),
    review_ref  TEXT NOT NULL,
    settled_on  TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

ALTER TABLE transfers ADD COLUMN contract_id TEXT;
ALTER TABLE transfers ADD COLUMN contract_part TEXT;
CREATE INDEX transfers_by_contract ON transfers (contract_id) WHERE contract_id IS NOT NULL;

-- +goose Down
DROP INDEX transfers_by_contract;
ALTER TABLE transfers DROP COLUMN contract_part;
ALTER TABLE transfers DROP COLUMN contract_id;
DROP TABLE settlements;
DROP TABLE acceptances;
DROP TABLE contracts;
DROP TABLE payees;
