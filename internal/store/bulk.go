package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// MaxParams keeps one statement under both engines' bound-parameter limits.
const MaxParams = 30000

// insertChunk is how many rows one prepared INSERT carries: statements of
// one shape are parsed once and executed many times.
const insertChunk = 64

// InsertMany writes rows into table with multi-row INSERT statements. Full
// chunks of insertChunk rows reuse one prepared statement; the rest goes in
// one more statement.
func InsertMany(tx *gorm.DB, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if pool, ok := tx.Statement.ConnPool.(interface {
		PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	}); ok && len(rows) >= 2*insertChunk {
		full := len(rows) / insertChunk * insertChunk
		stmt, err := pool.PrepareContext(tx.Statement.Context, insertSQL(table, cols, insertChunk, tx.Dialector.Name() == "postgres"))
		if err != nil {
			return err
		}
		args := make([]any, 0, insertChunk*len(cols))
		for start := 0; start < full; start += insertChunk {
			args = args[:0]
			for _, r := range rows[start : start+insertChunk] {
				args = append(args, r...)
			}
			if _, err := stmt.ExecContext(tx.Statement.Context, args...); err != nil {
				stmt.Close()
				return err
			}
		}
		stmt.Close()
		rows = rows[full:]
		if len(rows) == 0 {
			return nil
		}
	}
	per := max(1, MaxParams/len(cols))
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var b strings.Builder
		b.Grow(len(head) + len(chunk)*(len(one)+1))
		b.WriteString(head)
		args := make([]any, 0, len(chunk)*len(cols))
		for i, r := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		if err := tx.Exec(b.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// insertSQL writes an n-row INSERT with ? placeholders, or $1… for PostgreSQL.
func insertSQL(table string, cols []string, n int, numbered bool) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	k := 0
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteByte(',')
			}
			k++
			if numbered {
				b.WriteString("$" + strconv.Itoa(k))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Null turns an empty string into SQL NULL.
func Null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Str reads a nullable text column.
func Str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
