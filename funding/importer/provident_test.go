package importer_test

import (
	"context"
	"errors"
	"testing"

	"renofund/funding/importer"
	"renofund/funding/movement"
	"renofund/internal/money"
	"renofund/internal/sheet"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// P1 has 4 households and a budget of 10,000.00, so a household's default
// share of the work is 2,500.00.
func TestProvidentWithdrawalAboveShareRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		_, err := f.svc.Movements.Receive(context.Background(), movement.Receipt{Fund: provident, Amount: money.MustParse("2000"),
			ReceivedOn: "2024-03-01", Payer: movement.Party{Name: "住户二"}, Household: "H2"})
		if err != nil {
			t.Fatal(err)
		}
		h := []string{"household", "amount", "received_on", "payer_name"}
		file := csvOf(h,
			[]string{"H1", "1500", "2024-04-01", "住户一"},    // line 2
			[]string{"H1", "1000", "2024-04-02", "住户一"},    // 3: exactly the share
			[]string{"H1", "0.01", "2024-04-03", "住户一"},    // 4: above it
			[]string{"H2", "500", "2024-04-01", "住户二"},     // 5: 2,000 in the ledger + 500
			[]string{"H2", "0.01", "2024-04-02", "住户二"},    // 6: above it
			[]string{"H3", "2500.01", "2024-04-01", "住户三"}, // 7: above it at once
		)
		_, err = f.importCSV(provident, file, importer.Options{})
		var re *sheet.LineErrors
		if !errors.As(err, &re) {
			t.Fatalf("err = %v, want *sheet.LineErrors", err)
		}
		if got, want := lines(re.Rows), "4/amount/over_household_share 6/amount/over_household_share 7/amount/over_household_share"; got != want {
			t.Errorf("refused rows = %s, want %s", got, want)
		}
		if got := f.transfers(t, provident); got != 1 {
			t.Errorf("transfers = %d, want 1 (the earlier receipt only)", got)
		}
		res, err := f.importCSV(provident, file, importer.Options{Partial: true})
		if err != nil || res.Imported != 3 || res.Rejected != 3 || res.Total != money.MustParse("3000") {
			t.Fatalf("partial: %+v, %v; want 3 imported (3,000.00), 3 rejected", res, err)
		}
		// The ledger now holds H1's 2,500.00: one more fen is refused.
		more := csvOf(h, []string{"H1", "0.01", "2024-05-01", "住户一"})
		if _, err := f.importCSV(provident, more, importer.Options{}); !errors.As(err, &re) {
			t.Errorf("withdrawal above what the ledger already holds: err = %v, want *sheet.LineErrors", err)
		}
	})
}

func TestProvidentShareColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		h := []string{"household", "amount", "received_on", "payer_name", "share"}
		file := csvOf(h,
			[]string{"H1", "3000", "2024-04-01", "住户一", "5000"}, // the row's share, above the default, applies
			[]string{"H4", "150", "2024-04-01", "住户四", "100"},   // 3: above its share
			[]string{"H5", "100", "2024-04-01", "住户五", "100"},
			[]string{"H6", "100", "2024-04-01", "住户六", "1.234"}, // 5: a bad share
		)
		_, err := f.importCSV(provident, file, importer.Options{})
		var re *sheet.LineErrors
		if !errors.As(err, &re) || lines(re.Rows) != "3/amount/over_household_share 5/share/invalid_amount" {
			t.Fatalf("err = %v, want lines 3 (amount, over_household_share) and 5 (share, invalid_amount)", err)
		}
		// Other kinds accept the column and ignore it.
		res, err := f.importCSV(resident, file[:len(file)-len("H6,100,2024-04-01,住户六,1.234\n")], importer.Options{})
		if err != nil || res.Imported != 3 {
			t.Errorf("resident fund with a share column: %+v, %v; want 3 imported", res, err)
		}
	})
}
