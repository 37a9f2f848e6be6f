-- A closed project's closing date on its own row, so that a movement into or
-- out of the project and the project's closing serialise on that row: the
-- closing updates it before it reads the accounts, a movement reads it with a
-- share lock before it posts (PostgreSQL; SQLite has one writer at a time).

-- +goose Up
ALTER TABLE projects ADD COLUMN closed_on TEXT;
UPDATE projects SET closed_on = (SELECT pc.closed_on FROM project_closures pc WHERE pc.project_code = projects.code);

-- +goose Down
ALTER TABLE projects DROP COLUMN closed_on;
