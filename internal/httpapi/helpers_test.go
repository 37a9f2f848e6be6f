package httpapi_test

import (
	"context"
	"testing"

	"renofund/internal/httpapi/apitest"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// env is the shared test environment (apitest.Env: a server on a fresh
// database with a token for every role and, from newEnv, districts HZ and LY
// with one project each), with the checks of this package that read the
// tables directly.
type env struct{ *apitest.Env }

type response = apitest.Response

// newEnv builds the environment on db.
func newEnv(t testing.TB, db *store.DB) *env { return &env{apitest.New(t, db)} }

// eachEnv runs fn on both engines.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

// forT returns a copy of the environment whose helpers report to t, for use
// inside subtests.
func (e *env) forT(t testing.TB) *env { return &env{e.ForT(t)} }

// The request bodies and the payee they name.
var (
	project     = apitest.Project
	expenditure = apitest.Expenditure
	fundBody    = apitest.FundBody
	receiptBody = apitest.ReceiptBody
	receiptItem = apitest.ReceiptItem
	projectEdit = apitest.ProjectEdit
	amendment   = apitest.Amendment
	hashHex     = apitest.HashHex
	payeeBody   = apitest.PayeeBody
	planBody    = apitest.PlanBody
	managerBody = apitest.ManagerBody
	reliefBody  = apitest.ReliefBody
	assetBody   = apitest.AssetBody
)

const receiptsCSV = apitest.ReceiptsCSV

const payeeCode = apitest.PayeeCode

// setupMoney gives every refusal test the same books (apitest.Env.SetupMoney).
func setupMoney(e *env) (receiptID string) { return e.SetupMoney() }

// snapshot is everything a refused request must leave unchanged.
type snapshot struct {
	Transfers, Postings, Holdings, Funds, Projects, Districts, Keys int64
	Balance                                                         int64
	Subsidy                                                         int64 // managers, ratings, runs (paid counted twice), settlements
}

func (e *env) snapshot() snapshot {
	e.T.Helper()
	var s snapshot
	q := func(sql string, dst *int64) {
		if err := e.DB.G.Raw(sql).Scan(dst).Error; err != nil {
			e.T.Fatalf("%s: %v", sql, err)
		}
	}
	q("SELECT COUNT(*) FROM transfers", &s.Transfers)
	q("SELECT COUNT(*) FROM postings", &s.Postings)
	q("SELECT COUNT(*) FROM holdings", &s.Holdings)
	q("SELECT COUNT(*) FROM funds", &s.Funds)
	q("SELECT COUNT(*) FROM projects", &s.Projects)
	q("SELECT COUNT(*) FROM districts", &s.Districts)
	q("SELECT COUNT(*) FROM idempotency_keys", &s.Keys)
	q("SELECT COALESCE(SUM(balance), 0) FROM holdings", &s.Balance)
	q(`SELECT (SELECT COUNT(*) FROM subsidy_property_managers) + (SELECT COUNT(*) FROM subsidy_ratings) +
		(SELECT COUNT(*) FROM subsidy_runs) + (SELECT COUNT(*) FROM subsidy_runs WHERE status = 'paid') +
		(SELECT COUNT(*) FROM subsidy_clawback_settlements)`, &s.Subsidy)
	return s
}

// checkBooks asserts the invariants: money conserved (receipts − payments,
// net of reversals, equals the sum of holdings), nothing negative, and the
// hash links verify.
func (e *env) checkBooks() {
	e.T.Helper()
	var external, holdings, negative int64
	e.DB.G.Raw("SELECT COALESCE(SUM(amount), 0) FROM postings WHERE holder = 'external'").Scan(&external)
	e.DB.G.Raw("SELECT COALESCE(SUM(balance), 0) FROM holdings").Scan(&holdings)
	e.DB.G.Raw("SELECT COUNT(*) FROM holdings WHERE balance < 0").Scan(&negative)
	if -external != holdings {
		e.T.Errorf("money not conserved: outside world gave %s net, holdings sum to %s", money.Amount(-external), money.Amount(holdings))
	}
	if negative != 0 {
		e.T.Errorf("%d holdings below zero", negative)
	}
	r, err := proof.New(e.Ledger.DB()).Verify(context.Background(), proof.Full)
	if err != nil {
		e.T.Fatalf("verify: %v", err)
	}
	if !r.OK {
		e.T.Errorf("verification failed at %s: %s", r.Where, r.Problem)
	}
}

// refuse sends a request that must be refused with status and code, and
// checks that it wrote nothing (no transfer, posting, holding, fund,
// project, district or idempotency key; no balance moved).
func (e *env) refuse(t testing.TB, who, method, path string, body any, status int, code string, headers ...string) response {
	t.Helper()
	e = e.forT(t)
	before := e.snapshot()
	r := e.Do(who, method, path, body, headers...)
	if r.Status != status || r.Code() != code {
		t.Errorf("%s %s as %q: got %d %q, want %d %q: %s", method, path, who, r.Status, r.Code(), status, code, r.Body)
	}
	if after := e.snapshot(); after != before {
		t.Errorf("%s %s as %q was refused but wrote: before %+v, after %+v", method, path, who, before, after)
	}
	return r
}

// transferCount counts the stored transfers.
func (e *env) transferCount() int64 {
	e.T.Helper()
	var n int64
	if err := e.DB.G.Raw("SELECT COUNT(*) FROM transfers").Scan(&n).Error; err != nil {
		e.T.Fatal(err)
	}
	return n
}
