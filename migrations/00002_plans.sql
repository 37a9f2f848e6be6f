-- Factor-method allocation plans: the inputs and the shares they produced,
-- kept so an auditor can see why each recipient got what it got.

-- +goose Up
CREATE TABLE allocation_plans (
    id          TEXT PRIMARY KEY,
    fund_code   TEXT NOT NULL REFERENCES funds (code),
    from_holder TEXT NOT NULL,
    total       BIGINT NOT NULL CHECK (total > 0),
    inputs      TEXT NOT NULL,
    shares      TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    executed_by TEXT,
    executed_at TEXT
);
CREATE INDEX transfers_by_plan ON transfers (plan_id) WHERE plan_id IS NOT NULL;

-- +goose Down
DROP INDEX transfers_by_plan;
DROP TABLE allocation_plans;
