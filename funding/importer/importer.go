// Package importer loads household receipts in bulk from a CSV or XLSX file
// into one fund: resident contributions, maintenance-fund deposits and
// provident-fund withdrawals, often tens of thousands of rows at a time.
//
// The file (CSV in UTF-8 with an optional byte-order mark, or the first sheet
// of a workbook) starts with a header naming its columns, in any order and
// case: household, amount, received_on and payer_name are required;
// payer_credit_code, reference and share are optional; any other column
// refuses the file. Cells are read with surrounding spaces removed and are
// checked as POST /v1/funds/{code}/receipts checks its fields.
//
// Every row is checked before anything is written. By default a file with
// any bad row is refused as a whole, with every bad row listed by line and
// column; with Options.Partial the good rows are imported and the bad ones
// come back as a rejects CSV. Each row has a content key, so importing the
// same file again (or a reordered copy of it) writes nothing twice. All rows
// of one import are posted in one database transaction: all or none.
package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/sheet"
	"renofund/internal/store"
)

// Limits of one import. A file of MaxRows rows of typical width is a few tens
// of megabytes; the HTTP route should accept MaxBytes plus multipart overhead.
const (
	MaxBytes = 64 << 20
	MaxRows  = 200_000
)

// Kinds lists the fund kinds whose money arrives household by household and
// may therefore be imported.
var Kinds = []string{"resident_contribution", "maintenance_fund", "provident_fund"}

// Result says what an import did.
type Result struct {
	ID         string            `json:"id"`
	Fund       string            `json:"fund"`
	FileSHA256 string            `json:"file_sha256"`
	Rows       int               `json:"rows"`       // data rows in the file
	Imported   int               `json:"imported"`   // rows posted now
	Duplicates int               `json:"duplicates"` // rows posted by an earlier import, skipped
	Rejected   int               `json:"rejected"`   // bad rows (Partial only)
	Total      money.Amount      `json:"total"`      // sum of the imported rows
	Rejects    []sheet.LineError `json:"rejects"`
	// RejectsCSV holds the rejected rows as CSV (the file's columns, then
	// line and reason); set in Partial mode when rows were rejected.
	RejectsCSV []byte `json:"-"`
}

// MarshalJSON writes the result with the rejects CSV as a string field
// "rejects_csv" (omitted when there is none).
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		plain
		RejectsCSV string `json:"rejects_csv,omitempty"`
	}{plain(r), string(r.RejectsCSV)})
}

// Importer imports receipt files.
type Importer struct {
	db     *store.DB
	reg    *funding.Registry
	moves  *movement.Service // builds each row's receipt
	ledger *ledger.Ledger
}

// New returns an importer that looks funds up in reg, builds receipts with
// m and posts them with l.
func New(db *store.DB, reg *funding.Registry, m *movement.Service, l *ledger.Ledger) *Importer {
	return &Importer{db: db, reg: reg, moves: m, ledger: l}
}

// Import reads a receipts file for fund and posts its rows. The caller must
// be allowed to write the fund's district (finance, or the district itself).
//
// A refused file writes nothing and returns a *sheet.LineErrors (matching
// errs.ErrInvalidRequest) listing every bad row; a fund of another kind is
// refused with errs.ErrRuleViolation; a file over MaxBytes or MaxRows with
// errs.ErrTooLarge. Import reads r to its end before starting; when run
// inside a transaction that may be retried, pass a fresh reader each time.
func (im *Importer) Import(ctx context.Context, fund string, r io.Reader, format Format, opt Options) (*Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the file: %v", errs.ErrInvalidRequest, err)
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("%w: the file is larger than %d bytes", errs.ErrTooLarge, MaxBytes)
	}
	ctx = funding.WithLookups(ctx)
	t, err := im.target(ctx, fund)
	if err != nil {
		return nil, err
	}
	if format != Detect && format != CSV && format != XLSX {
		return nil, fmt.Errorf("%w: unknown file format %v", errs.ErrInvalidRequest, format)
	}
	if format == Detect {
		format = CSV
		if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			format = XLSX
		}
	}
	tab, err := readTable(data, format)
	if err != nil {
		return nil, err
	}
	rows, err := im.check(ctx, t, tab)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	j := &job{target: t, tab: tab, rows: rows, opt: opt, format: format, sha: hex.EncodeToString(sum[:])}
	return im.commit(ctx, j)
}

// target is the fund being imported into.
type target struct {
	fund *funding.Fund
}

// target loads the fund and checks that the actor may write to it and that
// it is of a kind that takes household receipts.
func (im *Importer) target(ctx context.Context, code string) (*target, error) {
	f, err := im.reg.Fund(ctx, code)
	if err != nil {
		return nil, err
	}
	if !access.From(ctx).Writes(f.District) {
		return nil, fmt.Errorf("%w: only the finance bureau records receipts into the city's funds", errs.ErrForbidden)
	}
	if !slices.Contains(Kinds, f.Kind) {
		return nil, fmt.Errorf("%w: fund %s is a %s fund; receipts are imported only into %s funds",
			errs.ErrRuleViolation, code, f.Kind, strings.Join(Kinds, ", "))
	}
	t := &target{fund: f}
	return t, nil
}
