-- What an audit event was about beyond its route, when the handler says so:
-- a period reopened and why, a close confirmed and the seal it made.

-- +goose Up
ALTER TABLE audit_events ADD COLUMN detail TEXT;

-- +goose Down
ALTER TABLE audit_events DROP COLUMN detail;
