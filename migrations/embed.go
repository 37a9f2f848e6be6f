// Package migrations embeds the schema, written once in SQL that both SQLite
// and PostgreSQL accept, and applied by goose.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
