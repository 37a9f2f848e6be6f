-- What a fund has received for each household, read by every capped receipt
-- (provident-fund withdrawals) under its holding's lock.

-- +goose Up
CREATE INDEX transfers_by_household ON transfers (fund_code, household) WHERE household IS NOT NULL;

-- +goose Down
DROP INDEX transfers_by_household;
