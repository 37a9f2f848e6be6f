package works_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/funding/works"
	"renofund/internal/app/apptest"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestCloseRacesMovements closes projects while clerks allocate to them,
// pay from them and receive into them, each in its own transaction. Every
// movement lands wholly before the closing, and its money is in the
// closing's return, or is refused as project_closed: a closed project holds
// nothing. On both engines.
func TestCloseRacesMovements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, ctx := apptest.New(t, db)
		must := apptest.Must(t)
		today := field.Today()
		must(svc.Registry.CreateDistrict(ctx, funding.District{Code: "HZ", Name: "海州区"}))
		must(svc.Registry.CreateFund(ctx, funding.Fund{Code: "F", Kind: "central_grant", Name: "资金", Holder: "city",
			FiscalYear: 2026, EligibleCategories: funding.Categories}))
		must(svc.Movements.Receive(ctx, movement.Receipt{Fund: "F", Amount: money.MustParse("100000.00"),
			ReceivedOn: today, Payer: movement.Party{Name: "省财政厅"}}))
		one := money.MustParse("1.00")
		for round := range 6 {
			code := fmt.Sprintf("P%d", round)
			must(svc.Registry.CreateProject(ctx, funding.Project{Code: code, Name: "小区", District: "HZ", Households: 10,
				FloorAreaM2: money.MustRate("1000"), Buildings: 1, BuiltYear: 1990,
				Budget: funding.Budget{Basic: money.MustParse("100000.00")}}))
			allocate := func() error {
				_, err := svc.Movements.Allocate(ctx, movement.Allocation{Fund: "F", From: "city", To: "project:" + code,
					Amount: one, AllocatedOn: today})
				return err
			}
			must(nil, allocate())
			const clerks = 6
			errs := make(chan error, 2*clerks)
			var wg sync.WaitGroup
			var closeErr error
			for i := range clerks {
				wg.Go(func() { errs <- allocate() })
				wg.Go(func() {
					_, err := svc.Movements.Spend(ctx, movement.Expenditure{Project: code, Category: funding.Basic,
						Amount: money.MustParse("0.01"), PaidOn: today, Purpose: "工程款",
						Payee: movement.Party{Name: "施工单位", CreditCode: "91350100M000100Y43", BankAccount: "1"}})
					errs <- err
				})
				if i == clerks/2 {
					wg.Go(func() {
						_, _, closeErr = svc.Movements.Works.Close(ctx, code, works.CloseIn{ClosedOn: today,
							DocumentNo: "决〔2026〕" + code, ReturnRemainder: true})
					})
				}
			}
			wg.Wait()
			close(errs)
			if closeErr != nil {
				t.Fatalf("%s: closing: %v", code, closeErr)
			}
			for err := range errs {
				if err != nil && !errors.Is(err, works.ErrProjectClosed) && !errors.Is(err, ledger.ErrInsufficientFunds) {
					t.Errorf("%s: a movement failed otherwise than project_closed: %v", code, err)
				}
			}
			if b, err := svc.Ledger.Balance(ctx, "F", "project:"+code); err != nil || b != 0 {
				t.Errorf("%s holds %s after closing (%v)", code, b, err)
			}
		}
	})
}
