package batches

import (
	"reflect"
	"testing"

	"renofund/internal/ledger"
)

// TestRefOf: one voucher block per fiscal year, however the items of the
// years interleave.
func TestRefOf(t *testing.T) {
	var ts []*ledger.Transfer
	for i, y := range []int{2026, 2025, 2026, 2026, 2025} {
		seq := map[int]int64{2025: 7, 2026: 40}[y] + int64(i)/2
		ts = append(ts, &ledger.Transfer{FiscalYear: y, VoucherSeq: seq})
	}
	got := RefOf("b1", ts)
	want := Ref{Batch: "b1", Count: 5, Vouchers: []Block{{Year: 2026, First: 40, Count: 3}, {Year: 2025, First: 7, Count: 2}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RefOf = %+v, want %+v", got, want)
	}
}
