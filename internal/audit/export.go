package audit

import (
	"context"
	"fmt"
	"io"

	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Format is a file format of the trail.
type Format string

// The formats.
const (
	CSV   Format = "csv"
	JSONL Format = "jsonl"
	XLSX  Format = "xlsx"
	// ZIP is the whole package ExportDir writes, in one ZIP file (see
	// exportZIP): what a browser or an HTTP client downloads.
	ZIP Format = "zip"
)

// ParseFormat reads ?format=; empty means CSV.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "":
		return CSV, nil
	case CSV, JSONL, XLSX, ZIP:
		return Format(s), nil
	}
	return "", fmt.Errorf("%w: format must be csv, jsonl, xlsx or zip, got %q", errs.ErrInvalidRequest, s)
}

// ContentType is the media type to send the format with.
func (f Format) ContentType() string {
	switch f {
	case JSONL:
		return "application/x-ndjson; charset=utf-8"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ZIP:
		return "application/zip"
	}
	return "text/csv; charset=utf-8"
}

// FileName is the trail's file name in the format: trail.csv, trail.jsonl, trail.xlsx.
func (f Format) FileName() string { return "trail." + string(f) }

// Totals sums one fund's rows by what they did, net of reversals (whose
// rows are negative).
type Totals struct {
	Received  money.Amount `json:"received"`  // receipt rows: money entering the books
	Allocated money.Amount `json:"allocated"` // allocation rows: moves inside the books
	Spent     money.Amount `json:"spent"`     // expenditure and subsidy_payment rows: money leaving
	Net       money.Amount `json:"net"`       // Received − Spent: what the rows left in the books
}

// Stats describes an export: its rows and, per fund, the totals of their
// amounts. For an unfiltered export each fund's Received and Spent equal the
// ledger's totals and Net equals the sum of its holdings, to the fen.
type Stats struct {
	Rows  int64             `json:"rows"`
	Funds map[string]Totals `json:"funds"`
}

func (s *Stats) add(r *Row) {
	s.Rows++
	if r.Fund == "" {
		return // tax expenditure: no fund, no money moved
	}
	t := s.Funds[r.Fund]
	switch r.BaseType {
	case ledger.TypeReceipt:
		t.Received += r.Amount
	case ledger.TypeAllocation:
		t.Allocated += r.Amount
	case ledger.TypeExpenditure, ledger.TypeSubsidy:
		t.Spent += r.Amount
	}
	t.Net = t.Received - t.Spent
	s.Funds[r.Fund] = t
}

// Export streams the trail rows selected by f to w in the given format and
// returns what it wrote. A district actor gets only its own district's rows
// (errs.ErrForbidden when it asks for another); bad filters are
// errs.ErrInvalidRequest. Both refusals come before anything is written.
// Rows are read a page at a time inside one read-only snapshot, so the file
// is one consistent state of the books on both engines. ZIP writes the
// whole package instead (see exportZIP).
func Export(ctx context.Context, db *store.DB, w io.Writer, format Format, f Filter) (Stats, error) {
	f, err := Scope(ctx, f)
	if err != nil {
		return Stats{}, err
	}
	if format == ZIP {
		return exportZIP(ctx, db, w, f)
	}
	var st Stats
	err = db.Snapshot(ctx, func(ctx context.Context) error {
		st, err = export(ctx, db, w, format, f)
		return err
	})
	return st, err
}

// export writes the trail; ctx carries the snapshot to read in.
func export(ctx context.Context, db *store.DB, w io.Writer, format Format, f Filter) (Stats, error) {
	st := Stats{Funds: map[string]Totals{}}
	format, err := ParseFormat(string(format))
	if err != nil {
		return st, err
	}
	var rw rowWriter
	switch format {
	case CSV:
		rw, err = newCSV(w)
	case JSONL:
		rw = newJSONL(w)
	case XLSX:
		rw, err = newXLSX(w)
	}
	if err != nil {
		return st, err
	}
	emit := func(r *Row) error {
		st.add(r)
		return rw.write(r)
	}
	err = streamRows(ctx, db, f, emit)
	if err == nil {
		err = streamTax(db.Conn(ctx), f, emit)
	}
	if err != nil {
		return st, store.Translate(err)
	}
	return st, rw.close()
}
