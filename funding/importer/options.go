package importer

import (
	"fmt"
	"io"
	"os"
	"strings"

	"renofund/internal/errs"
)

// Format says how to read the file.
type Format int

// The formats. Detect recognises XLSX by its zip signature and reads
// anything else as CSV.
const (
	Detect Format = iota
	CSV
	XLSX
)

// ParseFormat reads "csv", "xlsx" or "" (detect), for a query parameter or flag.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "":
		return Detect, nil
	case "csv":
		return CSV, nil
	case "xlsx":
		return XLSX, nil
	}
	return Detect, fmt.Errorf("%w: format %q must be csv or xlsx", errs.ErrInvalidRequest, s)
}

// String names the format as ParseFormat reads it ("detect" for Detect).
func (f Format) String() string {
	switch f {
	case Detect:
		return "detect"
	case CSV:
		return "csv"
	case XLSX:
		return "xlsx"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Options tune one import.
type Options struct {
	// Partial imports the good rows and returns the bad ones as a rejects
	// CSV, instead of refusing the whole file.
	Partial bool
	// Progress, when set, is called as rows are posted, ending with done == total.
	Progress func(done, total int)
	// FileName is recorded with the import for the audit trail.
	FileName string
}

// barWidth is the width of the drawn bar in characters.
const barWidth = 30

// TerminalProgress returns a progress callback for Options.Progress that
// draws a bar on w ("\r[#####.....] 12345/100000 rows (12%)") when w is a
// terminal, and does nothing otherwise, so that logs and pipes stay clean.
func TerminalProgress(w io.Writer) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok {
		return func(int, int) {}
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return func(int, int) {}
	}
	return bar(w)
}

// bar draws the bar whenever the percentage moves, and ends the line when
// done reaches total.
func bar(w io.Writer) func(done, total int) {
	last := -1
	return func(done, total int) {
		pct := 100
		if total > 0 {
			pct = done * 100 / total
		}
		if pct == last && done < total {
			return
		}
		last = pct
		full := pct * barWidth / 100
		fmt.Fprintf(w, "\r[%s%s] %d/%d rows (%d%%)", strings.Repeat("#", full), strings.Repeat(".", barWidth-full),
			done, total, pct)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}
