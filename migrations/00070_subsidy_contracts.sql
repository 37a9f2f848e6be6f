-- Property managers by period (management contracts), subsidy shares split
-- by days served, and the settlement of clawback requests.

-- +goose Up
-- Each version of a property manager now records the contract it describes:
-- from_date (NULL: since the project's start) to to_date (NULL: open-ended).
-- Versions recorded before contracts existed run from the day they were
-- recorded; an open contract ends the day before the next one starts.
ALTER TABLE subsidy_property_managers ADD COLUMN from_date TEXT;
ALTER TABLE subsidy_property_managers ADD COLUMN to_date TEXT;
UPDATE subsidy_property_managers SET from_date = substr(effective_from, 1, 10);

-- A line paying one company's share of a project's entitlement records the
-- days that company served within the period's counted days (or, on a line
-- holding the unmanaged days' share, those days).
ALTER TABLE subsidy_run_lines ADD COLUMN days_served INTEGER;
ALTER TABLE subsidy_run_lines ADD COLUMN period_days INTEGER;
CREATE INDEX subsidy_run_lines_clawbacks ON subsidy_run_lines (run_id, line) WHERE amount < 0;

-- A clawback line (a negative adjustment of a paid run) is settled once, when
-- the company has refunded it; the line itself never changes.
CREATE TABLE subsidy_clawback_settlements (
    run_id     TEXT NOT NULL,
    line       INTEGER NOT NULL,
    settled_on TEXT NOT NULL,
    note       TEXT,
    settled_by TEXT NOT NULL,
    settled_at TEXT NOT NULL,
    PRIMARY KEY (run_id, line),
    FOREIGN KEY (run_id, line) REFERENCES subsidy_run_lines (run_id, line)
);

-- +goose Down
DROP TABLE subsidy_clawback_settlements;
DROP INDEX subsidy_run_lines_clawbacks;
ALTER TABLE subsidy_run_lines DROP COLUMN period_days;
ALTER TABLE subsidy_run_lines DROP COLUMN days_served;
ALTER TABLE subsidy_property_managers DROP COLUMN to_date;
ALTER TABLE subsidy_property_managers DROP COLUMN from_date;
