-- Totals of each project's spending per category, kept beside the postings
-- in the same transaction (internal/ledger/totals.go), for the budget report
-- and the over-budget finding.
--
-- category_days: per booking date, project, category and district ('' for
-- none), the payments with a category made out of the project's own
-- holdings (net of reversals) and how many of their postings were not
-- reversals; category_months: the same per month, with the last date paid.

-- +goose Up
CREATE TABLE category_days (
    booked_on     TEXT NOT NULL,
    project_code  TEXT NOT NULL,
    category      TEXT NOT NULL,
    district_code TEXT NOT NULL,
    spent         NUMERIC NOT NULL,
    paid          BIGINT NOT NULL,
    PRIMARY KEY (booked_on, project_code, category, district_code)
);

INSERT INTO category_days (booked_on, project_code, category, district_code, spent, paid)
SELECT t.booked_on, t.project_code, t.category, COALESCE(t.district_code, ''), -SUM(p.amount),
    SUM(CASE WHEN t.type <> 'reversal' THEN 1 ELSE 0 END)
FROM transfers t JOIN postings p ON p.transfer_id = t.id
JOIN holdings h ON h.fund_code = p.fund_code AND h.holder = p.holder AND h.project_code = t.project_code
WHERE t.base_type IN ('expenditure', 'subsidy_payment') AND t.category IS NOT NULL
GROUP BY t.booked_on, t.project_code, t.category, COALESCE(t.district_code, '');

CREATE TABLE category_months (
    project_code  TEXT NOT NULL,
    category      TEXT NOT NULL,
    month         TEXT NOT NULL,
    district_code TEXT NOT NULL,
    spent         NUMERIC NOT NULL,
    last_paid     TEXT NOT NULL,
    PRIMARY KEY (project_code, category, month, district_code)
);

INSERT INTO category_months (project_code, category, month, district_code, spent, last_paid)
SELECT t.project_code, t.category, SUBSTR(t.booked_on, 1, 7), COALESCE(t.district_code, ''), -SUM(p.amount),
    COALESCE(MAX(CASE WHEN t.type <> 'reversal' THEN t.booked_on END), '')
FROM transfers t JOIN postings p ON p.transfer_id = t.id
JOIN holdings h ON h.fund_code = p.fund_code AND h.holder = p.holder AND h.project_code = t.project_code
WHERE t.base_type IN ('expenditure', 'subsidy_payment') AND t.category IS NOT NULL
GROUP BY t.project_code, t.category, SUBSTR(t.booked_on, 1, 7), COALESCE(t.district_code, '');

-- +goose Down
DROP TABLE category_months;
DROP TABLE category_days;
