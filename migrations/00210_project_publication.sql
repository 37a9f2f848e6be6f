-- Publication of a project's disclosure page (公示): the finance bureau
-- publishes a community's page for residents and may withdraw it (a page
-- published by mistake). Each step is a row, never changed nor deleted; a
-- project's page is public while its latest step (highest seq) is a
-- publish. seq is the project's own count of steps, so two steps taken at
-- once cannot both be the next.

-- +goose Up
CREATE TABLE project_publications (
    project_code TEXT NOT NULL REFERENCES projects (code),
    seq          INTEGER NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('publish', 'unpublish')),
    reason       TEXT,
    acted_by     TEXT NOT NULL,
    acted_at     TEXT NOT NULL,
    PRIMARY KEY (project_code, seq)
);

-- +goose Down
DROP TABLE project_publications;
