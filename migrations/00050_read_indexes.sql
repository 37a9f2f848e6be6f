-- Indexes for reads that would otherwise scan every transfer. Each is
-- partial: the transfers it skips (nearly all of them) cost nothing to write.

-- +goose Up
-- Forced payments (挪用 / 扩大开支范围), which the exceptions list reports.
CREATE INDEX transfers_forced ON transfers (id) WHERE forced_reason IS NOT NULL;

-- +goose Down
DROP INDEX transfers_forced;
