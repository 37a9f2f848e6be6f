-- The programme (城镇老旧小区改造计划): each project's plan year and its
-- status pipeline, reserve (储备) → planned → under_construction → accepted
-- → settled → closed, every step dated with its document and kept; the
-- city's yearly targets; each project's planned funding mix (资金筹措方案);
-- and what each household is due to contribute. Steps, targets, plans and
-- dues are appended as versions, never changed. projects.status is the
-- latest step (reserve when there is none), kept beside the project so that
-- lists and progress read it without walking the history.

-- +goose Up
ALTER TABLE projects ADD COLUMN plan_year INTEGER;
ALTER TABLE projects ADD COLUMN status TEXT NOT NULL DEFAULT 'reserve';
ALTER TABLE project_versions ADD COLUMN plan_year INTEGER;
CREATE INDEX projects_by_plan_year ON projects (plan_year, district_code);

CREATE TABLE project_status_steps (
    project_code TEXT NOT NULL REFERENCES projects (code),
    seq          INTEGER NOT NULL,
    status       TEXT NOT NULL,
    on_date      TEXT NOT NULL,
    document_no  TEXT NOT NULL,
    note         TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (project_code, seq)
);

CREATE TABLE programme_targets (
    year          INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    communities   BIGINT NOT NULL CHECK (communities >= 0),
    households    BIGINT NOT NULL CHECK (households >= 0),
    floor_area_m2 TEXT NOT NULL,
    document_no   TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    PRIMARY KEY (year, version)
);

CREATE TABLE funding_plans (
    project_code TEXT NOT NULL REFERENCES projects (code),
    version      INTEGER NOT NULL,
    lines        TEXT NOT NULL,
    document_no  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (project_code, version)
);

CREATE TABLE contribution_dues (
    project_code  TEXT NOT NULL REFERENCES projects (code),
    version       INTEGER NOT NULL,
    per_household BIGINT,
    households    TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    PRIMARY KEY (project_code, version)
);

-- +goose Down
DROP TABLE contribution_dues;
DROP TABLE funding_plans;
DROP TABLE programme_targets;
DROP TABLE project_status_steps;
DROP INDEX projects_by_plan_year;
ALTER TABLE project_versions DROP COLUMN plan_year;
ALTER TABLE projects DROP COLUMN status;
ALTER TABLE projects DROP COLUMN plan_year;
