package audit_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"renofund/internal/access"
	"renofund/internal/audit"
	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// trail is a parsed CSV export: the rows as maps from column to cell.
type trail []map[string]string

func parseCSV(t testing.TB, b []byte) trail {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("parse csv: %v (%d records)", err, len(recs))
	}
	var out trail
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func exportCSV(t testing.TB, ctx context.Context, db *store.DB, f audit.Filter) (trail, audit.Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := audit.Export(ctx, db, &buf, audit.CSV, f)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	rows := parseCSV(t, buf.Bytes())
	if int64(len(rows)) != st.Rows {
		t.Fatalf("csv has %d rows, stats say %d", len(rows), st.Rows)
	}
	return rows, st
}

// sums adds the rows' amounts per fund and base type.
func (tr trail) sums(t testing.TB) map[string]map[string]money.Amount {
	t.Helper()
	out := map[string]map[string]money.Amount{}
	for _, r := range tr {
		a := signed(t, r["amount"])
		if out[r["fund"]] == nil {
			out[r["fund"]] = map[string]money.Amount{}
		}
		out[r["fund"]][r["base_type"]] += a
	}
	return out
}

// signed parses an amount that may carry a minus sign.
func signed(t testing.TB, s string) money.Amount {
	t.Helper()
	neg := strings.HasPrefix(s, "-")
	a, err := money.Parse(strings.TrimPrefix(s, "-"))
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	if neg {
		return -a
	}
	return a
}

// ledgerSums reads, straight from the tables, each fund's receipts and
// payments (net, over holding postings) and holdings.
func ledgerSums(t testing.TB, db *store.DB) map[string][3]money.Amount {
	t.Helper()
	var rows []struct {
		Fund                      string
		Received, Spent, Holdings int64
	}
	err := db.G.Raw(`SELECT f.code AS fund,
		(SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN transfers t ON t.id = p.transfer_id
			WHERE p.fund_code = f.code AND p.holder <> 'external' AND t.base_type = 'receipt') AS received,
		(SELECT COALESCE(SUM(-p.amount), 0) FROM postings p JOIN transfers t ON t.id = p.transfer_id
			WHERE p.fund_code = f.code AND p.holder <> 'external' AND t.base_type IN ('expenditure', 'subsidy_payment')) AS spent,
		(SELECT COALESCE(SUM(balance), 0) FROM holdings h WHERE h.fund_code = f.code) AS holdings
		FROM funds f`).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][3]money.Amount{}
	for _, r := range rows {
		out[r.Fund] = [3]money.Amount{money.Amount(r.Received), money.Amount(r.Spent), money.Amount(r.Holdings)}
	}
	return out
}

// checkTotals compares a whole-ledger CSV export with the tables, to the fen.
func checkTotals(t *testing.T, db *store.DB, rows trail, st audit.Stats) {
	t.Helper()
	got := rows.sums(t)
	for fund, want := range ledgerSums(t, db) {
		s := got[fund]
		spent := s["expenditure"] + s["subsidy_payment"]
		if s["receipt"] != want[0] || spent != want[1] || s["receipt"]-spent != want[2] {
			t.Errorf("%s: csv received %s spent %s; ledger received %s spent %s holdings %s",
				fund, s["receipt"], spent, want[0], want[1], want[2])
		}
		if tot := st.Funds[fund]; tot.Received != want[0] || tot.Spent != want[1] || tot.Net != want[2] {
			t.Errorf("%s: stats %+v, ledger %v", fund, tot, want)
		}
	}
	var legs, taxRows int64
	db.G.Raw("SELECT COUNT(*) FROM (SELECT DISTINCT transfer_id, fund_code FROM postings) x").Scan(&legs)
	db.G.Raw("SELECT COUNT(*) FROM tax_records").Scan(&taxRows)
	if int64(len(rows)) != legs+taxRows {
		t.Errorf("%d rows, want one per transfer and fund plus one per tax record: %d + %d", len(rows), legs, taxRows)
	}
}

func TestExportAddsUpToLedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		three := f.city()
		rows, st := exportCSV(t, f.as(access.Auditor, ""), db, audit.Filter{})
		checkTotals(t, db, rows, st)

		var legs []map[string]string
		for i, r := range rows {
			if i > 0 {
				p := rows[i-1]
				if p["fiscal_year"]+p["voucher_no"]+p["fund"] > r["fiscal_year"]+r["voucher_no"]+r["fund"] {
					t.Errorf("row %d out of order: %s %s after %s %s", i, r["voucher_no"], r["fund"], p["voucher_no"], p["fund"])
				}
			}
			if r["transfer_id"] == three.ID {
				legs = append(legs, r)
			}
			if r["type"] == "reversal" {
				if r["amount"] != "-70000.00" || r["from_holder"] != "project:LY-001" || r["to_holder"] != "external" ||
					r["reversal_of_voucher"] == "" || r["from_posting_hash"] == "" {
					t.Errorf("reversal row %v", r)
				}
			}
		}
		if len(legs) != 3 || legs[0]["fund"] != "CG-2026" || legs[1]["fund"] != "PG-2026" || legs[2]["fund"] != "RC-HZ-001" {
			t.Fatalf("three-fund expenditure rows: %v", legs)
		}
		for _, r := range legs {
			if r["voucher_no"] != three.VoucherNo || r["transfer_hash"] != three.Hash || r["to_holder"] != "external" ||
				r["from_holder"] != "project:HZ-001" || r["period"] != "2026-03" || r["from_chain_seq"] == "" || r["to_chain_seq"] != "" {
				t.Errorf("leg %v", r)
			}
		}
		if legs[2]["amount"] != "5500.00" || legs[2]["fund_kind"] != "resident_contribution" || legs[0]["fund_document_no"] != "财预〔2026〕12号" {
			t.Errorf("legs %v", legs)
		}
	})
}

func TestCSVInjectionGuard(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+86": "'+86", "-x": "'-x", "@a": "'@a",
		"\tx": "'\tx", "\rx": "'\rx", "plain": "plain", "": "", "1-2": "1-2"} {
		if got := audit.CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.city()
		rows, _ := exportCSV(t, f.ctx, db, audit.Filter{Fund: "SB-2026"})
		seen := 0
		for _, r := range rows {
			if r["payee_name"] == "@江苏港城消防工程有限公司" || r["purpose"] == "-消防改造" {
				t.Errorf("unguarded cell in %v", r)
			}
			if r["payee_name"] == "'@江苏港城消防工程有限公司" {
				seen++
				if r["amount"][0] == '\'' {
					t.Errorf("amount guarded: %q", r["amount"])
				}
			}
		}
		if seen != 2 { // the payment and its reversal
			t.Errorf("guarded payee seen %d times, want 2", seen)
		}
		hz, _ := exportCSV(t, f.ctx, db, audit.Filter{Project: "HZ-001", Fund: "CG-2026"})
		found := false
		for _, r := range hz {
			found = found || (r["payee_name"] == `'=HYPERLINK("http://x")` && r["purpose"] == "'+1 供水管网更新")
		}
		if !found {
			t.Error("formula payee not guarded")
		}
	})
}

func TestExportRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, c := range []struct {
			ctx    context.Context
			filter audit.Filter
			format audit.Format
			want   error
		}{
			{f.as(access.District, "HZ"), audit.Filter{District: "LY"}, audit.CSV, errs.ErrForbidden},
			{f.as(access.District, "HZ"), audit.Filter{District: "LY"}, audit.ZIP, errs.ErrForbidden},
			{f.ctx, audit.Filter{From: "2026-05-01", To: "2026-04-01"}, audit.ZIP, errs.ErrInvalidRequest},
			{f.ctx, audit.Filter{From: "2026-13-01"}, audit.CSV, errs.ErrInvalidRequest},
			{f.ctx, audit.Filter{From: "2026-05-01", To: "2026-04-01"}, audit.CSV, errs.ErrInvalidRequest},
			{f.ctx, audit.Filter{}, audit.Format("pdf"), errs.ErrInvalidRequest},
		} {
			var buf bytes.Buffer
			_, err := audit.Export(c.ctx, db, &buf, c.format, c.filter)
			if !errors.Is(err, c.want) || buf.Len() != 0 {
				t.Errorf("%+v %s: err %v (%d bytes written), want %v", c.filter, c.format, err, buf.Len(), c.want)
			}
		}
	})
}

func TestExportFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.city()
		all, _ := exportCSV(t, f.as(access.Auditor, ""), db, audit.Filter{})
		for _, c := range []struct {
			name   string
			ctx    context.Context
			filter audit.Filter
			keep   func(r map[string]string) bool
		}{
			{"fund", f.ctx, audit.Filter{Fund: "PG-2026"}, func(r map[string]string) bool { return r["fund"] == "PG-2026" }},
			{"project", f.ctx, audit.Filter{Project: "LY-001"}, func(r map[string]string) bool { return r["project"] == "LY-001" }},
			{"district", f.ctx, audit.Filter{District: "LY"}, func(r map[string]string) bool { return r["district"] == "LY" }},
			{"dates", f.ctx, audit.Filter{From: "2026-02-10", To: "2026-03-31"}, func(r map[string]string) bool {
				return r["booked_on"] >= "2026-02-10" && r["booked_on"] <= "2026-03-31"
			}},
			{"fund and project", f.ctx, audit.Filter{Fund: "CG-2026", Project: "HZ-001"}, func(r map[string]string) bool {
				return r["fund"] == "CG-2026" && r["project"] == "HZ-001"
			}},
			{"district actor", f.as(access.District, "HZ"), audit.Filter{}, func(r map[string]string) bool { return r["district"] == "HZ" }},
			{"district actor, own district", f.as(access.District, "LY"), audit.Filter{District: "LY", Fund: "SB-2026"}, func(r map[string]string) bool {
				return r["district"] == "LY" && r["fund"] == "SB-2026"
			}},
		} {
			got, _ := exportCSV(t, c.ctx, db, c.filter)
			var want []string
			for _, r := range all {
				if c.keep(r) {
					want = append(want, r["transfer_id"]+"/"+r["fund"])
				}
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r["transfer_id"]+"/"+r["fund"])
			}
			if len(want) == 0 || strings.Join(ids, " ") != strings.Join(want, " ") {
				t.Errorf("%s: got %d rows %v, want %d %v", c.name, len(ids), ids, len(want), want)
			}
		}
	})
}
