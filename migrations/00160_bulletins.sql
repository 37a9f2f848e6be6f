-- The monthly bulletin (月通报): one stored snapshot per month, drafted once
-- (by a finance clerk on demand, or by the scheduler on the 1st) and never
-- changed. The body is the JSON as drafted; sha256 is its hash, so a reader
-- can tell that what it reads is what was drafted. The month is the key: two
-- instances drafting the same month at once store one.

-- +goose Up
CREATE TABLE bulletins (
    month      TEXT PRIMARY KEY,
    drafted_at TEXT NOT NULL,
    drafted_by TEXT NOT NULL,
    body       TEXT NOT NULL,
    sha256     TEXT NOT NULL
);

-- +goose Down
DROP TABLE bulletins;
