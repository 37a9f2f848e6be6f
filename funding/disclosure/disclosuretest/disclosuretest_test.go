package disclosuretest_test

import (
	"context"
	"slices"
	"testing"

	"renofund/funding/disclosure/disclosuretest"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/ledger"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestCommunityHoldsThePrivateData: the community is filled on both engines,
// and the personal data the disclosure tests look for is really in its
// books, so that its absence from a page means something.
func TestCommunityHoldsThePrivateData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := app.New(db, nil)
		t.Cleanup(svc.Close)
		disclosuretest.Register(t, svc)
		disclosuretest.Community(t, svc, "HZ-001")
		ctx := access.With(context.Background(), access.System)
		ts, err := svc.Ledger.All(ctx, ledger.Filter{Project: "HZ-001"})
		if err != nil {
			t.Fatal(err)
		}
		var payers, households, accounts []string
		for _, tr := range ts {
			payers, households, accounts = append(payers, tr.PayerName), append(households, tr.Household), append(accounts, tr.PayeeBankAccount)
		}
		if !slices.Contains(payers, "王秀英") || !slices.Contains(households, "3-2-101") ||
			!slices.Contains(accounts, "6228480000000000017") || !slices.Contains(accounts, "3220000000001234") ||
			!slices.Contains(accounts, "3220000000009999") {
			t.Errorf("the books lack the private data: payers %v, households %v, payee accounts %v", payers, households, accounts)
		}
		cs, err := svc.Movements.Works.Contracts(ctx, "HZ-001", "", 10)
		if err != nil || len(cs) != 1 || len(cs[0].Acceptances) != 1 || cs[0].Acceptances[0].Participants[0].Name != "李建国" ||
			cs[0].Settlement == nil {
			t.Fatalf("contracts: %+v, %v", cs, err)
		}
		rs, err := svc.Subsidy.Ratings(ctx, "HZ-001", "2026-Q1")
		if err != nil || len(rs) != 1 || !slices.Contains(rs[0].Assessors, "张伟") {
			t.Errorf("ratings: %+v, %v", rs, err)
		}
	})
}
