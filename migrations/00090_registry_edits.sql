-- Registry edits: every version of a project, budget amendments with their
-- documents, and tax records corrected by reversing records.

-- +goose Up
-- One row per version of a project's fields: version 1 is the project as
-- registered, each edit (PUT) or budget amendment adds the next. The
-- project's own row always holds the latest version.
CREATE TABLE project_versions (
    project_code       TEXT NOT NULL REFERENCES projects (code),
    version            INTEGER NOT NULL,
    kind               TEXT NOT NULL,
    name               TEXT NOT NULL,
    households         BIGINT NOT NULL,
    floor_area_m2      TEXT NOT NULL,
    buildings          BIGINT NOT NULL,
    built_year         INTEGER NOT NULL,
    budget_basic       BIGINT NOT NULL,
    budget_improvement BIGINT NOT NULL,
    budget_upgrade     BIGINT NOT NULL,
    recorded_by        TEXT NOT NULL,
    recorded_at        TEXT NOT NULL,
    PRIMARY KEY (project_code, version)
);
-- Projects registered before versions were kept get theirs as version 1.
INSERT INTO project_versions (project_code, version, kind, name, households, floor_area_m2, buildings, built_year,
    budget_basic, budget_improvement, budget_upgrade, recorded_by, recorded_at)
SELECT code, 1, 'created', name, households, floor_area_m2, buildings, built_year,
    budget_basic, budget_improvement, budget_upgrade, 'system:before-versions', created_at FROM projects;

-- A change of a project's budget, on the strength of a document (批复文号).
CREATE TABLE budget_amendments (
    id                 TEXT PRIMARY KEY,
    project_code       TEXT NOT NULL REFERENCES projects (code),
    version            INTEGER NOT NULL,
    document_no        TEXT NOT NULL,
    reason             TEXT NOT NULL,
    before_basic       BIGINT NOT NULL,
    before_improvement BIGINT NOT NULL,
    before_upgrade     BIGINT NOT NULL,
    after_basic        BIGINT NOT NULL,
    after_improvement  BIGINT NOT NULL,
    after_upgrade      BIGINT NOT NULL,
    recorded_by        TEXT NOT NULL,
    recorded_at        TEXT NOT NULL,
    UNIQUE (project_code, version)
);

-- Tax records gain reversing records: a reversal carries the original's
-- amount negated and names it in reversal_of (at most one reversal each).
-- Rebuilt rather than altered: SQLite cannot drop the old CHECK in place.
CREATE TABLE tax_records_v2 (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL,
    project_code         TEXT REFERENCES projects (code),
    district_code        TEXT,
    party_name           TEXT NOT NULL,
    party_credit_code    TEXT,
    regime               TEXT,
    on_date              TEXT NOT NULL,
    total                BIGINT NOT NULL,
    detail               TEXT NOT NULL,
    recorded_by          TEXT NOT NULL,
    recorded_at          TEXT NOT NULL,
    reversal_of          TEXT UNIQUE REFERENCES tax_records_v2 (id),
    reason               TEXT,
    CHECK ((reversal_of IS NULL AND total >= 0) OR (reversal_of IS NOT NULL AND total <= 0))
);
INSERT INTO tax_records_v2 (id, kind, project_code, district_code, party_name, party_credit_code, regime, on_date,
    total, detail, recorded_by, recorded_at)
SELECT id, kind, project_code, district_code, party_name, party_credit_code, regime, on_date,
    total, detail, recorded_by, recorded_at FROM tax_records;
DROP TABLE tax_records;
ALTER TABLE tax_records_v2 RENAME TO tax_records;
CREATE INDEX tax_records_by_project ON tax_records (project_code);
CREATE INDEX tax_records_by_district ON tax_records (district_code);

-- Lists of plans by fund.
CREATE INDEX allocation_plans_by_fund ON allocation_plans (fund_code, id);

-- +goose Down
DROP INDEX allocation_plans_by_fund;
CREATE TABLE tax_records_v1 (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL,
    project_code         TEXT REFERENCES projects (code),
    district_code        TEXT,
    party_name           TEXT NOT NULL,
    party_credit_code    TEXT,
    regime               TEXT,
    on_date              TEXT NOT NULL,
    total                BIGINT NOT NULL CHECK (total >= 0),
    detail               TEXT NOT NULL,
    recorded_by          TEXT NOT NULL,
    recorded_at          TEXT NOT NULL
);
INSERT INTO tax_records_v1 SELECT id, kind, project_code, district_code, party_name, party_credit_code, regime,
    on_date, total, detail, recorded_by, recorded_at FROM tax_records WHERE reversal_of IS NULL;
DROP TABLE tax_records;
ALTER TABLE tax_records_v1 RENAME TO tax_records;
CREATE INDEX tax_records_by_project ON tax_records (project_code);
CREATE INDEX tax_records_by_district ON tax_records (district_code);
DROP TABLE budget_amendments;
DROP TABLE project_versions;
