-- Two partial indexes for the findings a district office reads: its forced
-- payments (diversion) and the allocations to its district holder (direct
-- money routed through it). Each holds a few hundred transfers, where the
-- district's index would have the rule read every transfer of the district.

-- +goose Up
CREATE INDEX transfers_forced_in_district ON transfers (district_code, id) WHERE forced_reason IS NOT NULL;
CREATE INDEX transfers_to_district ON transfers (district_code, id) WHERE to_holder LIKE 'district:%';

-- +goose Down
DROP INDEX transfers_to_district;
DROP INDEX transfers_forced_in_district;
