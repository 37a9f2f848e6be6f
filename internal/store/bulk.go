package store

import (
	"strings"

	"gorm.io/gorm"
)

// maxParams keeps one statement under both engines' bound-parameter limits.
const maxParams = 30000

// InsertMany writes rows into table with multi-row INSERT statements, as many
// rows per statement as the parameter limit allows.
func InsertMany(tx *gorm.DB, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, maxParams/len(cols))
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
