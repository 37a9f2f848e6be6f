-- Tax relief and utility depreciation recorded against projects: tax
-- expenditure (税式支出), reported beside the cash and never held as cash.

-- +goose Up
CREATE TABLE tax_records (
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
CREATE INDEX tax_records_by_project ON tax_records (project_code);
CREATE INDEX tax_records_by_district ON tax_records (district_code);

-- +goose Down
DROP TABLE tax_records;
