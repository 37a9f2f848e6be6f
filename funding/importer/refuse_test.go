package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"testing"

	"renofund/funding/importer"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/sheet"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// threeBad is 20 good rows with three spoiled: line 4 (amount), line 9
// (received_on) and line 15 (payer_credit_code). The header is line 1.
func threeBad() []byte {
	rows := goodRows(20)
	rows[3][1] = "12.345"
	rows[8][2] = "2024-02-30"
	rows[14][4] = "91320700MA1XXXXXX0"
	return csvOf(rows...)
}

func TestThreeBadRowsRefuseTheFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		_, err := f.importCSV(resident, threeBad(), importer.Options{})
		var re *sheet.LineErrors
		if !errors.As(err, &re) || !errors.Is(err, errs.ErrInvalidRequest) {
			t.Fatalf("err = %v, want *sheet.LineErrors matching ErrInvalidRequest", err)
		}
		want := "4/amount/invalid_amount 9/received_on/invalid_request 15/payer_credit_code/invalid_credit_code"
		if got := lines(re.Rows); got != want {
			t.Errorf("bad rows = %s, want %s", got, want)
		}
		if n := f.transfers(t, resident) + f.count(t, "imports", "") + f.count(t, "import_rows", ""); n != 0 {
			t.Errorf("a refused file wrote %d rows, want none", n)
		}
	})
}

func TestPartialImportsGoodRowsAndReturnsRejects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		res, err := f.importCSV(resident, threeBad(), importer.Options{Partial: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 17 || res.Rejected != 3 || len(res.Rejects) != 3 {
			t.Fatalf("got %+v, want 17 imported and 3 rejected", res)
		}
		if got := f.transfers(t, resident); got != 17 {
			t.Errorf("transfers = %d, want 17", got)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.RejectsCSV, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatalf("rejects CSV: %v", err)
		}
		wantHead := append(append([]string{}, header...), "line", "reason")
		if len(recs) != 4 || !equal(recs[0], wantHead) {
			t.Fatalf("rejects CSV = %q, want the header %q and 3 rows", recs, wantHead)
		}
		for i, line := range []string{"4", "9", "15"} {
			if recs[i+1][6] != line || recs[i+1][7] == "" {
				t.Errorf("reject %d: line %q, reason %q; want line %s and a reason", i, recs[i+1][6], recs[i+1][7], line)
			}
		}
		if recs[1][1] != "12.345" {
			t.Errorf("reject keeps the original cell: got amount %q, want 12.345", recs[1][1])
		}
		again, err := f.importCSV(resident, threeBad(), importer.Options{Partial: true})
		if err != nil || again.Imported != 0 || again.Duplicates != 17 || again.Rejected != 3 {
			t.Errorf("partial re-import: %+v, %v; want 17 duplicates, 3 rejected", again, err)
		}
	})
}

func TestBadCreditCodeNamesTheColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		rows := goodRows(2)
		rows[2][4] = "91320700mA1XXXXXX0" // lower case and a wrong check character
		_, err := f.importCSV(resident, csvOf(rows...), importer.Options{})
		var re *sheet.LineErrors
		if !errors.As(err, &re) || lines(re.Rows) != "3/payer_credit_code/invalid_credit_code" {
			t.Fatalf("err = %v, want line 3 payer_credit_code invalid_credit_code", err)
		}
	})
}

func TestFileLevelRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		good := csvOf(goodRows(2)...)
		tests := []struct {
			name, fund string
			data       []byte
			want       error
			rows       string
		}{
			{"wrong fund kind", grant, good, errs.ErrRuleViolation, ""},
			{"unknown fund", "NOPE", good, errs.ErrNotFound, ""},
			{"unknown column", resident, []byte("household,amount,received_on,payer_name,note\nA,1,2024-01-01,x,y\n"),
				errs.ErrInvalidRequest, "1/note/invalid_request"},
			{"missing and repeated columns", resident, []byte("household,AMOUNT,amount,payer_name\nA,1,1,x\n"),
				errs.ErrInvalidRequest, "1/amount/invalid_request 1/received_on/invalid_request"},
			{"empty file", resident, []byte("\n\n"), errs.ErrInvalidRequest, "1//invalid_request"},
			{"header only", resident, []byte("household,amount,received_on,payer_name\n"), errs.ErrInvalidRequest, ""},
			{"not UTF-8", resident, []byte("household,amount,received_on,payer_name\n\xb0\xb2,1,2024-01-01,x\n"), errs.ErrInvalidRequest, ""},
			{"wrong field count", resident, []byte("household,amount,received_on,payer_name\nA,1,2024-01-01\n"),
				errs.ErrInvalidRequest, "2//invalid_request"},
		}
		for _, tt := range tests {
			// Partial mode too refuses a file it cannot read at all.
			_, err := f.importCSV(tt.fund, tt.data, importer.Options{Partial: tt.name != "wrong field count"})
			if !errors.Is(err, tt.want) {
				t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
				continue
			}
			var re *sheet.LineErrors
			if errors.As(err, &re) && lines(re.Rows) != tt.rows {
				t.Errorf("%s: rows = %q, want %q", tt.name, lines(re.Rows), tt.rows)
			}
		}
		if n := f.count(t, "transfers", "") + f.count(t, "imports", ""); n != 0 {
			t.Errorf("refused files wrote %d rows, want none", n)
		}
	})
}

func TestOnlyTheFundsDistrictMayImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		data := csvOf(goodRows(2)...)
		for _, tt := range []struct {
			actor access.Actor
			want  error
		}{
			{access.Actor{Name: "ly", Role: access.District, District: "LY"}, errs.ErrNotFound},
			{access.Actor{Name: "audit", Role: access.Auditor}, errs.ErrForbidden},
			{access.Actor{Name: "hz", Role: access.District, District: "HZ"}, nil},
		} {
			ctx := access.With(context.Background(), tt.actor)
			_, err := f.im.Import(ctx, resident, bytes.NewReader(data), importer.CSV, importer.Options{})
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Errorf("%s: err = %v, want %v", tt.actor.Label(), err, tt.want)
			}
		}
		if got := f.transfers(t, resident); got != 2 {
			t.Errorf("transfers = %d, want 2 (the district's own import)", got)
		}
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
