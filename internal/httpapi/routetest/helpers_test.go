// Package routetest_test holds the API's route-wide tests, generated from the
// route table and the OpenAPI document: the access matrix (every /v1 route as
// every token on either district's objects), the hostile-input corpus, the
// unauthenticated sweep, the decoder fuzz targets and the route walk over the
// demo city. They are the API's slowest tests; in a package of their own they
// run beside the rest of internal/httpapi's tests rather than after them.
// Both packages share one environment, internal/httpapi/apitest.
package routetest_test

import (
	"context"
	"testing"

	"renofund/internal/httpapi/apitest"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// env is the shared test environment with the checks that read the tables
// directly (checkBooks here, counts in matrix_test.go).
type env struct{ *apitest.Env }

type response = apitest.Response

// newEnv builds the environment (districts HZ and LY, a project in each) on db.
func newEnv(t testing.TB, db *store.DB) *env { return &env{apitest.New(t, db)} }

// newBareEnv is a server on db with admin, finance, reviewer and auditor
// tokens and nothing else.
func newBareEnv(t testing.TB, db *store.DB) *env { return &env{apitest.NewBare(t, db)} }

// eachEnv runs fn on both engines, each in its own database, the two in
// parallel: a route-wide test takes minutes under the race detector, and
// one engine's run need not wait for the other's.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		fn(t, newEnv(t, db))
	})
}

// forT returns a copy of the environment whose helpers report to t.
func (e *env) forT(t testing.TB) *env { return &env{e.ForT(t)} }

var (
	expenditure = apitest.Expenditure
	project     = apitest.Project
	fundBody    = apitest.FundBody
	receiptBody = apitest.ReceiptBody
	receiptItem = apitest.ReceiptItem
	projectEdit = apitest.ProjectEdit
	amendment   = apitest.Amendment
	hashHex     = apitest.HashHex
	setupMoney  = (*env).SetupMoney
	payeeBody   = apitest.PayeeBody
	planBody    = apitest.PlanBody
	managerBody = apitest.ManagerBody
	schemeBody  = apitest.SchemeBody
	reliefBody  = apitest.ReliefBody
	assetBody   = apitest.AssetBody
)

const (
	payeeCode    = apitest.PayeeCode
	receiptsCSV  = apitest.ReceiptsCSV
	statementCSV = apitest.StatementCSV
)

// checkBooks asserts the invariants: money conserved (receipts − payments,
// net of reversals, equals the sum of holdings), nothing negative, and the
// hash links verify. The SQL is the oracle, read beside the ledger's own
// answers; internal/httpapi's tests keep the same check.
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
