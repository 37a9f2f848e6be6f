package evidence_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/funding/evidence"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestChainAndBinding: concurrent uploads form one unbroken chain that
// verifies; a district sees its own documents only; a payment's documents
// are checked and digested before it is posted and bound once.
func TestChainAndBinding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := app.New(db, nil)
		t.Cleanup(svc.Close)
		fin := access.With(context.Background(), access.Actor{TokenID: "f", Role: access.Finance, Name: "clerk"})
		hz := access.With(context.Background(), access.Actor{TokenID: "h", Role: access.District, District: "HZ", Name: "hz"})
		ly := access.With(context.Background(), access.Actor{TokenID: "l", Role: access.District, District: "LY", Name: "ly"})
		for _, d := range []string{"HZ", "LY"} {
			if _, err := svc.Registry.CreateDistrict(fin, funding.District{Code: d, Name: d}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Registry.CreateProject(fin, funding.Project{Code: d + "-001", Name: "小区", District: d,
				Households: 1, FloorAreaM2: money.MustRate("10"), Buildings: 1, BuiltYear: 1990}); err != nil {
				t.Fatal(err)
			}
		}
		ev := svc.Movements.Evidence
		var wg sync.WaitGroup
		ids := make([]string, 8)
		errc := make(chan error, len(ids))
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := hz
				if i%2 == 1 {
					ctx = ly
				}
				a, err := ev.Add(ctx, evidence.Upload{Subject: evidence.Pending, Content: []byte(fmt.Sprintf("发票 %d", i))})
				if err != nil {
					errc <- err
					return
				}
				ids[i] = a.ID
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		r, err := proof.New(db).Verify(context.Background(), proof.Full)
		if err != nil || !r.OK || r.Attachments != int64(len(ids)) {
			t.Fatalf("verify after concurrent uploads: %+v, %v", r, err)
		}
		if mine, err := ev.List(hz, "", "", 100); err != nil || len(mine) != 4 {
			t.Errorf("HZ lists %d documents, want its 4: %v", len(mine), err)
		}
		if _, err := ev.Get(ly, ids[0]); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("LY reads HZ's document: %v", err)
		}

		named := map[string]bool{}
		digest, err := ev.Digest(hz, "HZ", []string{ids[2], ids[0]}, named)
		if err != nil || digest == "" || !named[ids[0]] || !named[ids[2]] {
			t.Fatalf("digest: %q, %v, %v", digest, err, named)
		}
		if _, err := ev.Digest(hz, "HZ", []string{ids[4], ids[0]}, named); !errors.Is(err, evidence.ErrBound) {
			t.Errorf("a document named twice in one batch: %v", err)
		}
		if _, err := ev.Digest(fin, "HZ", []string{ids[1]}, map[string]bool{}); !errors.Is(err, errs.ErrRuleViolation) {
			t.Errorf("LY's document on an HZ payment: %v", err)
		}
		if _, err := ev.Digest(hz, "HZ", nil, map[string]bool{}); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("no documents: %v", err)
		}
		// Binding needs a posted transfer: a receipt into a project fund.
		if _, err := svc.Registry.CreateFund(fin, funding.Fund{Code: "D", Kind: "donation", Name: "捐赠", Holder: "project:HZ-001",
			FiscalYear: 2026, EligibleCategories: funding.Categories}); err != nil {
			t.Fatal(err)
		}
		tr := &ledger.Transfer{FiscalYear: 2026, Type: ledger.TypeReceipt, Fund: "D", To: "project:HZ-001", District: "HZ",
			Project: "HZ-001", Amount: 100, BookedOn: "2026-03-01", PayerName: "捐赠人", RecordedBy: "finance:clerk",
			EvidenceDigest: digest, Postings: []ledger.Posting{{Fund: "D", Holder: "project:HZ-001", Amount: 100,
				District: "HZ", Project: "HZ-001"}, {Fund: "D", Holder: ledger.External, Amount: -100}}}
		err = db.Tx(fin, func(ctx context.Context, _ *gorm.DB) error {
			if err := svc.Ledger.Post(ctx, tr); err != nil {
				return err
			}
			return ev.Bind(ctx, tr, []string{ids[0], ids[2]})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := ev.Bind(fin, tr, []string{ids[0]}); !errors.Is(err, evidence.ErrBound) {
			t.Errorf("bound twice: %v", err)
		}
		if _, err := ev.Digest(hz, "HZ", []string{ids[0]}, map[string]bool{}); !errors.Is(err, evidence.ErrBound) {
			t.Errorf("a bound document named again: %v", err)
		}
		a, err := ev.Get(hz, ids[2])
		if err != nil || a.BoundTo != "transfer:"+tr.ID || a.District != "HZ" {
			t.Errorf("bound document: %+v, %v", a, err)
		}
		if r, err := proof.New(db).Verify(context.Background(), proof.Full); err != nil || !r.OK {
			t.Errorf("verify after binding: %+v, %v", r, err)
		}
	})
}
