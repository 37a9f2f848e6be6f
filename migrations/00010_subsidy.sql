-- Property-service subsidies (物业补贴): property managers, versioned schemes,
-- ratings, and payout runs with their lines. Amounts are BIGINT fen; scores
-- are BIGINT hundredths of a point; rates, ratios, bases are decimal text.
-- Managers, schemes and ratings are append-only: a change is a new version and
-- the highest version is the current one. A run's status moves draft → paid
-- or draft → cancelled; its lines are never changed once written.

-- +goose Up
CREATE TABLE subsidy_property_managers (
    project_code   TEXT NOT NULL REFERENCES projects (code),
    version        INTEGER NOT NULL,
    name           TEXT NOT NULL,
    credit_code    TEXT NOT NULL,
    bank_account   TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    PRIMARY KEY (project_code, version)
);

CREATE TABLE subsidy_schemes (
    code        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    fund_code   TEXT NOT NULL REFERENCES funds (code),
    holder      TEXT NOT NULL,
    basis       TEXT NOT NULL,
    rate        TEXT NOT NULL,
    period_kind TEXT NOT NULL,
    bands       TEXT NOT NULL,
    formula     TEXT,
    cap         BIGINT CHECK (cap > 0),
    category    TEXT,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT,
    schedule    TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE subsidy_ratings (
    id           TEXT PRIMARY KEY,
    project_code TEXT NOT NULL REFERENCES projects (code),
    period       TEXT NOT NULL,
    version      INTEGER NOT NULL,
    score_x100   BIGINT NOT NULL CHECK (score_x100 >= 0 AND score_x100 <= 10000),
    components   TEXT,
    assessors    TEXT,
    owner_reps   INTEGER NOT NULL CHECK (owner_reps >= 0),
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    UNIQUE (project_code, period, version)
);
CREATE INDEX subsidy_ratings_by_period ON subsidy_ratings (period, project_code, version);

CREATE TABLE subsidy_runs (
    id             TEXT PRIMARY KEY,
    scheme_code    TEXT NOT NULL,
    scheme_version INTEGER NOT NULL,
    period         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'paid', 'cancelled')),
    paid_before    INTEGER NOT NULL,
    total          BIGINT NOT NULL CHECK (total >= 0),
    clawback       BIGINT NOT NULL CHECK (clawback <= 0),
    line_count     INTEGER NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    approved_by    TEXT,
    approved_at    TEXT,
    cancelled_by   TEXT,
    cancelled_at   TEXT,
    FOREIGN KEY (scheme_code, scheme_version) REFERENCES subsidy_schemes (code, version)
);
-- At most one draft per scheme and period, whichever instance creates it:
-- the database decides, not a process-local lock.
CREATE UNIQUE INDEX subsidy_runs_one_draft ON subsidy_runs (scheme_code, period) WHERE status = 'draft';
CREATE INDEX subsidy_runs_by_scheme ON subsidy_runs (scheme_code, period, status);

CREATE TABLE subsidy_run_lines (
    run_id             TEXT NOT NULL REFERENCES subsidy_runs (id),
    line               INTEGER NOT NULL,
    project_code       TEXT NOT NULL REFERENCES projects (code),
    district_code      TEXT NOT NULL,
    score_x100         BIGINT,
    band               TEXT NOT NULL,
    ratio              TEXT NOT NULL,
    base               TEXT NOT NULL,
    months             INTEGER NOT NULL,
    entitlement        BIGINT NOT NULL,
    settled            BIGINT NOT NULL,
    amount             BIGINT NOT NULL,
    capped             BOOLEAN NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('payable', 'skipped', 'adjustment')),
    reason             TEXT,
    rating_version     INTEGER,
    manager_version    INTEGER,
    payee_name         TEXT,
    payee_credit_code  TEXT,
    payee_bank_account TEXT,
    PRIMARY KEY (run_id, line)
);
CREATE INDEX subsidy_run_lines_by_district ON subsidy_run_lines (run_id, district_code, line);

-- +goose Down
DROP TABLE subsidy_run_lines;
DROP TABLE subsidy_runs;
DROP TABLE subsidy_ratings;
DROP TABLE subsidy_schemes;
DROP TABLE subsidy_property_managers;
