-- A project closed with its final accounts (决算): once closed, nothing more
-- is paid from or allocated to it. The accounts as they stood at closing are
-- kept beside it.

-- +goose Up
CREATE TABLE project_closures (
    project_code TEXT PRIMARY KEY REFERENCES projects (code),
    closed_on    TEXT NOT NULL,
    document_no  TEXT NOT NULL,
    accounts     TEXT NOT NULL,
    closed_by    TEXT NOT NULL,
    closed_at    TEXT NOT NULL
);

-- +goose Down
DROP TABLE project_closures;
