package audit

import (
	"renofund/internal/sheet"

	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"unicode/utf8"

	"renofund/internal/money"
)

// rowWriter writes the trail in one format: the header, each row as it
// comes, and whatever the format needs at the end.
type rowWriter interface {
	write(r *Row) error
	close() error
}

// CSVSafe defuses text that a spreadsheet would run as a formula; amounts
// and numbers are never passed through it, so a negative amount stays a number.
func CSVSafe(s string) string { return sheet.Cell(s) }

// csvWriter writes RFC 4180 CSV in UTF-8 with a header row.
type csvWriter struct {
	w   *csv.Writer
	rec []string
}

func newCSV(w io.Writer) (*csvWriter, error) {
	c := &csvWriter{w: csv.NewWriter(w), rec: make([]string, len(columns))}
	return c, c.w.Write(header())
}

func (c *csvWriter) write(r *Row) error {
	for i, col := range columns {
		switch v := col.get(r).(type) {
		case string:
			c.rec[i] = CSVSafe(v)
		case int64:
			c.rec[i] = strconv.FormatInt(v, 10)
		case bool:
			c.rec[i] = strconv.FormatBool(v)
		case money.Amount:
			c.rec[i] = v.String()
		case seq:
			c.rec[i] = ""
			if v != 0 {
				c.rec[i] = strconv.FormatInt(int64(v), 10)
			}
		}
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) close() error {
	c.w.Flush()
	return c.w.Error()
}

// jsonlWriter writes one JSON object per line with the columns as keys, in
// order: amounts as decimal strings (as everywhere in the API), empty text
// and the external side's chain positions as null.
type jsonlWriter struct {
	w   *bufio.Writer
	buf []byte
}

func newJSONL(w io.Writer) *jsonlWriter {
	return &jsonlWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

func (j *jsonlWriter) write(r *Row) error {
	b := append(j.buf[:0], '{')
	for i, col := range columns {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, col.Name)
		b = append(b, ':')
		switch v := col.get(r).(type) {
		case string:
			if v == "" {
				b = append(b, "null"...)
			} else {
				b = appendJSONString(b, v)
			}
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case bool:
			b = strconv.AppendBool(b, v)
		case money.Amount:
			b = appendJSONString(b, v.String())
		case seq:
			if v == 0 {
				b = append(b, "null"...)
			} else {
				b = strconv.AppendInt(b, int64(v), 10)
			}
		}
	}
	b = append(b, '}', '\n')
	j.buf = b
	_, err := j.w.Write(b)
	return err
}

func (j *jsonlWriter) close() error { return j.w.Flush() }

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
