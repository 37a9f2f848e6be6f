-- Controls: who prepared and who approved a movement, the booking-date rules
-- and the closing of periods.

-- +goose Up
-- 制单 and 审核: the preparer and, where the rules ask for one, the second
-- person who approved (plan execution, subsidy runs, forced and large payments).
ALTER TABLE transfers ADD COLUMN prepared_by TEXT;
ALTER TABLE transfers ADD COLUMN approved_by TEXT;

-- The latest booking date of any posting on the holding. A movement dated on
-- or after it cannot take money before it arrived, so only a backdated one
-- reads the holding's later postings.
ALTER TABLE holdings ADD COLUMN last_booked_on TEXT NOT NULL DEFAULT '';
UPDATE holdings SET last_booked_on = COALESCE((SELECT MAX(t.booked_on) FROM postings p
    JOIN transfers t ON t.id = p.transfer_id
    WHERE p.fund_code = holdings.fund_code AND p.holder = holdings.holder), '');

-- Which months of the fiscal year are closed (bit m-1 for month m). Every
-- post reads it with the counter row it already locks, so a close (which
-- locks the same row) and a booking into the month it closes cannot cross.
ALTER TABLE voucher_counters ADD COLUMN closed_months INTEGER NOT NULL DEFAULT 0;

-- A closed period's seal: the closing balance of every holding as of the
-- period's last day, their digest, and the checkpoint of chain heads taken
-- with them. A reopened period's seal is kept, marked superseded.
CREATE TABLE period_seals (
    id              TEXT PRIMARY KEY,
    period          TEXT NOT NULL,
    last_day        TEXT NOT NULL,
    holdings        BIGINT NOT NULL,
    total           BIGINT NOT NULL,
    balances_digest TEXT NOT NULL,
    checkpoint_seq  BIGINT NOT NULL REFERENCES checkpoints (seq),
    sealed_by       TEXT NOT NULL,
    sealed_at       TEXT NOT NULL,
    superseded_at   TEXT
);
CREATE UNIQUE INDEX period_seals_current ON period_seals (period) WHERE superseded_at IS NULL;

CREATE TABLE period_balances (
    seal_id   TEXT NOT NULL REFERENCES period_seals (id),
    fund_code TEXT NOT NULL,
    holder    TEXT NOT NULL,
    balance   BIGINT NOT NULL,
    PRIMARY KEY (seal_id, fund_code, holder)
);

-- The close and reopen workflow: one row a period, and every step in order.
CREATE TABLE periods (
    period       TEXT PRIMARY KEY,
    status       TEXT NOT NULL,
    requested_by TEXT,
    requested_at TEXT,
    reason       TEXT,
    seal_id      TEXT REFERENCES period_seals (id),
    updated_at   TEXT NOT NULL
);

CREATE TABLE period_events (
    id         TEXT PRIMARY KEY,
    period     TEXT NOT NULL,
    action     TEXT NOT NULL,
    status     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT,
    seal_id    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX period_events_by_period ON period_events (period, created_at);

-- +goose Down
DROP TABLE period_events;
DROP TABLE periods;
DROP TABLE period_balances;
DROP TABLE period_seals;
ALTER TABLE voucher_counters DROP COLUMN closed_months;
ALTER TABLE holdings DROP COLUMN last_booked_on;
ALTER TABLE transfers DROP COLUMN approved_by;
ALTER TABLE transfers DROP COLUMN prepared_by;
