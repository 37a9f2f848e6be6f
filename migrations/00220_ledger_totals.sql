-- Sums are NUMERIC: one holding's receipts in a month, or a day's late
-- vouchers across funds, may add up past what BIGINT holds even when every
-- balance fits, and a write must never fail for its report total.
--
-- Totals kept beside the ledger in the same transaction as every posting, so
-- reports read a few thousand rows instead of every posting. Both tables are
-- sums of what transfers and postings hold: `audit verify --full` recomputes
-- them from the ledger and reports any difference.
--
-- holding_days: one holding's postings on one booking date, split the way
-- the reports define money's flows (ledger.flowSums): received, allocated in,
-- allocated out, spent, everything moved (net), and how many postings brought
-- money in and took money out. Keyed by date first: reports read the days
-- at the ends of a window that does not cover whole months.
-- holding_months: the same per holding and month (YYYY-MM), with the first
-- date money came in and the last it went out ('' for none).
--
-- late_recordings: transfers recorded on a later UTC date than they were
-- booked on, per district ('' for the city), booking date, hour of recording
-- and recorder: the candidates for a late-entry finding.

-- Three partial indexes over payments only (a few percent of the transfers;
-- receipts and allocations add nothing to them): the spending per project
-- and category (budget report), a contractor's payments at a project
-- (contract findings), and payments by district and amount (duplicate
-- payments).

-- +goose Up
CREATE INDEX transfers_spending ON transfers (project_code, category) WHERE category IS NOT NULL;
CREATE INDEX transfers_payments ON transfers (project_code, payee_credit_code) WHERE base_type = 'expenditure';
CREATE INDEX transfers_paid_amounts ON transfers (district_code, amount) WHERE type = 'expenditure';

CREATE TABLE holding_days (
    booked_on TEXT NOT NULL,
    fund_code TEXT NOT NULL,
    holder    TEXT NOT NULL,
    received  NUMERIC NOT NULL,
    alloc_in  NUMERIC NOT NULL,
    alloc_out NUMERIC NOT NULL,
    spent     NUMERIC NOT NULL,
    moved     NUMERIC NOT NULL,
    ins       BIGINT NOT NULL,
    outs      BIGINT NOT NULL,
    PRIMARY KEY (booked_on, fund_code, holder)
);

INSERT INTO holding_days (booked_on, fund_code, holder, received, alloc_in, alloc_out, spent, moved, ins, outs)
SELECT t.booked_on, p.fund_code, p.holder,
    SUM(CASE WHEN t.base_type = 'receipt' THEN p.amount ELSE 0 END),
    SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.to_holder THEN p.amount ELSE 0 END),
    SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.from_holder THEN -p.amount ELSE 0 END),
    SUM(CASE WHEN t.base_type IN ('expenditure', 'subsidy_payment') THEN -p.amount ELSE 0 END),
    SUM(p.amount),
    SUM(CASE WHEN p.amount > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.amount < 0 THEN 1 ELSE 0 END)
FROM postings p JOIN transfers t ON t.id = p.transfer_id
WHERE p.holder <> 'external'
GROUP BY t.booked_on, p.fund_code, p.holder;

CREATE TABLE holding_months (
    fund_code TEXT NOT NULL,
    holder    TEXT NOT NULL,
    month     TEXT NOT NULL,
    received  NUMERIC NOT NULL,
    alloc_in  NUMERIC NOT NULL,
    alloc_out NUMERIC NOT NULL,
    spent     NUMERIC NOT NULL,
    moved     NUMERIC NOT NULL,
    first_in  TEXT NOT NULL,
    last_out  TEXT NOT NULL,
    PRIMARY KEY (fund_code, holder, month)
);

INSERT INTO holding_months (fund_code, holder, month, received, alloc_in, alloc_out, spent, moved, first_in, last_out)
SELECT fund_code, holder, SUBSTR(booked_on, 1, 7), SUM(received), SUM(alloc_in), SUM(alloc_out), SUM(spent), SUM(moved),
    COALESCE(MIN(CASE WHEN ins > 0 THEN booked_on END), ''), COALESCE(MAX(CASE WHEN outs > 0 THEN booked_on END), '')
FROM holding_days
GROUP BY fund_code, holder, SUBSTR(booked_on, 1, 7);

CREATE TABLE late_recordings (
    district_code TEXT NOT NULL,
    booked_on     TEXT NOT NULL,
    hour          TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    count         BIGINT NOT NULL,
    amount        NUMERIC NOT NULL,
    PRIMARY KEY (district_code, booked_on, hour, recorded_by)
);

INSERT INTO late_recordings (district_code, booked_on, hour, recorded_by, count, amount)
SELECT COALESCE(t.district_code, ''), t.booked_on, SUBSTR(t.recorded_at, 1, 13), t.recorded_by, COUNT(*), SUM(t.amount)
FROM transfers t
WHERE SUBSTR(t.recorded_at, 1, 10) > t.booked_on
GROUP BY COALESCE(t.district_code, ''), t.booked_on, SUBSTR(t.recorded_at, 1, 13), t.recorded_by;

-- +goose Down
DROP TABLE late_recordings;
DROP TABLE holding_months;
DROP TABLE holding_days;
DROP INDEX transfers_paid_amounts;
DROP INDEX transfers_payments;
DROP INDEX transfers_spending;
