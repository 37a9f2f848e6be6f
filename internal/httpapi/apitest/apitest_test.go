package apitest_test

import (
	"testing"

	"renofund/internal/httpapi/apitest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestEnv: the environment answers as each token, books SetupMoney's money
// where its comment says, and reads a statement upload back.
func TestEnv(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := apitest.New(t, db)
		for _, who := range []string{"admin", "finance", "reviewer", "auditor", "hz", "ly"} {
			if e.Tok[who] == "" {
				t.Errorf("no token %s", who)
			}
		}
		if r := e.Do("", "GET", "/v1/projects", nil); r.Status != 401 || r.Code() != "unauthenticated" {
			t.Errorf("without a token: %d %q", r.Status, r.Code())
		}
		if got := e.Must("hz", "GET", "/v1/projects/HZ-001", nil, 200)["code"]; got != "HZ-001" {
			t.Errorf("HZ-001 as hz: code %v", got)
		}
		if r := e.Do("hz", "GET", "/v1/projects/LY-001", nil); r.Status != 403 && r.Status != 404 {
			t.Errorf("LY-001 as hz: %d", r.Status)
		}
		if id := e.SetupMoney(); id == "" {
			t.Error("SetupMoney returned no receipt id")
		}
		for _, c := range []struct{ fund, holder, want string }{
			{"CG", "city", "40000.00"}, {"CG", "district:HZ", "30000.00"}, {"CG", "project:HZ-001", "20000.00"},
			{"CG", "project:LY-001", "10000.00"}, {"HZF", "district:HZ", "3000.00"}, {"LYF", "district:LY", "1000.00"},
		} {
			if got := e.Balance(c.fund, c.holder); got != c.want {
				t.Errorf("%s at %s: %s, want %s", c.fund, c.holder, got, c.want)
			}
		}
		paid := e.PayApproved("finance", func() map[string]any {
			b := apitest.Expenditure("HZ-001", "basic", "1.00")
			b["funding"], b["force_reason"] = []map[string]any{{"fund": "CG", "amount": "1.00"}}, "应急抢修"
			return b
		}())
		if paid["id"] == nil {
			t.Errorf("approved payment: %v", paid)
		}
		r := e.Upload("hz", "HZ", "date,amount,reference,counterparty\n2026-04-03,500.00,,区财政局\n")
		if r.Status != 201 || r.JSON(t)["id"] == nil {
			t.Errorf("statement upload: %d %s", r.Status, r.Body)
		}
		sub := e.ForT(t)
		if sub.T != t || sub.DB != e.DB {
			t.Error("ForT does not report to the subtest")
		}
	})
}
