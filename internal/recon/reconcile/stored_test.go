package reconcile

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"

	"renofund/internal/money"
)

// TestStoredRoundTrip: a reconciliation and a balance statement read back
// as written, negative amounts included (money.Amount refuses those from
// clients); the statement's workbook opens with its sheets.
func TestStoredRoundTrip(t *testing.T) {
	bal := money.Amount(-400)
	line := ReportedLine{Line: 7, Date: "2026-04-02", Amount: -100050, Balance: &bal, Reference: "FK-1", Counterparty: "甲",
		CounterpartyAccount: "3201", Summary: "工程款"}
	mv := LedgerMovement{ID: "t1", VoucherNo: "2026-000001", Type: "expenditure", Date: "2026-04-02", Amount: -100050}
	r := &Reconciliation{ID: "r1", District: "HZ", StatementFrom: "2026-04-01", StatementTo: "2026-04-30",
		Matched:       []MatchedPair{{Match: "m1", Bank: line, Movement: mv, By: "reference"}},
		Groups:        []MatchedGroup{{Match: "m2", Bank: []ReportedLine{line}, Movements: []LedgerMovement{mv, mv}, By: "group"}},
		UnmatchedBank: []ReportedLine{line}, UnmatchedLedger: []LedgerMovement{mv}}
	body, _ := json.Marshal(r)
	got, err := decodeStored(body)
	if err != nil {
		t.Fatal(err)
	}
	got.History, r.History = nil, nil
	if !reflect.DeepEqual(got, r) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, r)
	}

	b := &BalanceStatement{Reconciliation: "r1", District: "HZ", Month: "2026-04", BankBalance: -400, BookBalance: 100,
		BankNotInBooks: []ReportedLine{line}, BooksNotInBank: []LedgerMovement{mv},
		Differences:  []Difference{{Match: "m3", Bank: -10500, Books: -15000, Gap: 4500}},
		AdjustedBank: -100450, AdjustedBook: -99950, Difference: -500, Signed: &Signature{By: "district:li", At: "x"}}
	body, _ = json.Marshal(b)
	gotB, err := decodeStatement(body)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotB, b) {
		t.Errorf("statement read back\n%+v\nwant\n%+v", gotB, b)
	}
	var buf bytes.Buffer
	if err := b.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if sheets := f.GetSheetList(); len(sheets) != 3 || sheets[0] != "余额调节表" {
		t.Errorf("sheets %v", sheets)
	}
	if v, _ := f.GetCellValue("余额调节表", "B11"); v != "-5.00" {
		t.Errorf("difference cell %q", v)
	}
}
