package proof_test

import (
	"context"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/ledger/recount"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

const payee = "91350100M000100Y43"

// books posts a small history through the funding service: receipts,
// allocations, explicit and automatic expenditures and a reversal, so that
// the chain of CG at the city has five postings.
func books(t *testing.T, db *store.DB) (*both, context.Context) {
	t.Helper()
	l := &both{ledger.New(db), proof.New(db)}
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	ctx := access.With(context.Background(), access.Actor{TokenID: "t", Role: access.Finance, Name: "t"})
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.Registry.CreateDistrict(ctx, funding.District{Code: "HZ", Name: "海州区"}))
	must(svc.Registry.CreateProject(ctx, funding.Project{Code: "HZ-001", Name: "新浦小区", District: "HZ", Households: 100,
		FloorAreaM2: money.MustRate("9000.5"), Buildings: 3, BuiltYear: 1995,
		Budget: funding.Budget{Basic: money.MustParse("1000000")}}))
	for _, code := range []string{"CG", "CG2"} {
		must(svc.Registry.CreateFund(ctx, funding.Fund{Code: code, Kind: "central_grant", Name: code, Holder: "city",
			FiscalYear: 2026, DocumentNo: "财建〔2026〕1号", EligibleCategories: []string{"basic"}}))
	}
	receive := func(fund, amount string) {
		must(svc.Movements.Receive(ctx, movement.Receipt{Fund: fund, Amount: money.MustParse(amount), ReceivedOn: "2026-03-01",
			Payer: movement.Party{Name: "江苏省财政厅"}}))
	}
	allocate := func(fund, amount string) {
		must(svc.Movements.Allocate(ctx, movement.Allocation{Fund: fund, From: "city", To: "project:HZ-001",
			Amount: money.MustParse(amount), AllocatedOn: "2026-03-02"}))
	}
	receive("CG", "100.00")
	receive("CG", "200.00")
	receive("CG", "300.00")
	receive("CG2", "50.00")
	allocate("CG", "250.00")
	allocate("CG", "100.00")
	allocate("CG2", "50.00")
	spend := func(amount string, parts []movement.Part) *ledger.Transfer {
		tr, err := svc.Movements.Spend(ctx, movement.Expenditure{Project: "HZ-001", Category: "basic", Amount: money.MustParse(amount),
			Payee:  movement.Party{Name: "连云港市政工程有限公司", CreditCode: payee, BankAccount: "6222020000000001"},
			PaidOn: "2026-04-02", Purpose: "雨污分流", Funding: parts})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	spend("120.00", []movement.Part{{Fund: "CG", Amount: money.MustParse("120.00")}})
	x := spend("80.00", nil)
	spend("30.00", []movement.Part{{Fund: "CG", Amount: money.MustParse("10.00")}, {Fund: "CG2", Amount: money.MustParse("20.00")}})
	must(svc.Movements.Reverse(ctx, x.ID, "重复支付"))
	return l, ctx
}

func verify(t *testing.T, l *both, mode proof.Mode) *proof.Report {
	t.Helper()
	r, err := l.Verify(context.Background(), mode)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return r
}

func exec(t *testing.T, db *store.DB, sql string, args ...any) int64 {
	t.Helper()
	res := db.G.Exec(sql, args...)
	if res.Error != nil {
		t.Fatalf("%s: %v", sql, res.Error)
	}
	return res.RowsAffected
}

type chainRow struct {
	TransferID   string
	Line         int
	FundCode     string
	Holder       string
	Amount       int64
	ChainSeq     int64
	TransferHash string
}

// chain returns a holding's postings in chain order with their transfers' hashes.
func chain(t *testing.T, db *store.DB, fund, holder string) []chainRow {
	t.Helper()
	var rows []chainRow
	err := db.G.Raw(`SELECT p.transfer_id, p.line, p.fund_code, p.holder, p.amount, p.chain_seq, t.hash AS transfer_hash
		FROM postings p JOIN transfers t ON t.id = p.transfer_id
		WHERE p.fund_code = ? AND p.holder = ? ORDER BY p.chain_seq`, fund, holder).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 4 {
		t.Fatalf("chain %s/%s has %d postings; the fixture should give it at least 4", fund, holder, len(rows))
	}
	return rows
}

// rewrite is what an attacker with write access to the database and the
// source code would do: change the amount of the receipt at chain position
// pos of CG/city (and its outside-world side, and the transfer's amount and
// hash, so that every transfer still balances and hashes), then recompute
// every later link of the chain, the holding's balance and head, and the
// totals kept for the reports.
func rewrite(t *testing.T, db *store.DB, l *both, pos int, newAmount money.Amount) {
	t.Helper()
	ctx := context.Background()
	rows := chain(t, db, "CG", "city")
	target := rows[pos-1]
	tr, err := l.Get(ctx, target.TransferID)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Type != ledger.TypeReceipt {
		t.Fatalf("position %d is a %s, want a receipt", pos, tr.Type)
	}
	tr.Amount = newAmount
	newHash := ledger.TransferHash(tr)
	exec(t, db, "UPDATE transfers SET amount = ?, hash = ? WHERE id = ?", int64(newAmount), newHash, tr.ID)
	exec(t, db, "UPDATE postings SET amount = ? WHERE transfer_id = ? AND holder = 'external'", -int64(newAmount), tr.ID)
	exec(t, db, "UPDATE postings SET amount = ? WHERE transfer_id = ? AND line = ?", int64(newAmount), tr.ID, target.Line)
	rows = chain(t, db, "CG", "city")
	head := ""
	var balance int64
	for i, r := range rows {
		p := ledger.Posting{Fund: r.FundCode, Holder: r.Holder, Amount: money.Amount(r.Amount), ChainSeq: r.ChainSeq}
		h := ledger.PostingHash(head, r.TransferHash, r.Line, &p)
		if i+1 >= pos {
			exec(t, db, "UPDATE postings SET prev_hash = ?, hash = ? WHERE transfer_id = ? AND line = ?", head, h, r.TransferID, r.Line)
		}
		head = h
		balance += r.Amount
	}
	exec(t, db, "UPDATE holdings SET balance = ?, chain_head = ? WHERE fund_code = 'CG' AND holder = 'city'", balance, head)
	if err := recount.Rebuild(db.G); err != nil {
		t.Fatal(err)
	}
}

// TestTamperDetected alters, deletes and reorders stored movements directly
// in the database, each on a fresh database after a checkpoint; Verify must
// report the damage and say where. Every case is caught by the full mode.
// The default mode (since the checkpoint) takes what the checkpoint sealed
// as given, so of these changes, all made BEFORE the checkpoint, it catches
// those that change a count, a sum or a head it compares: a posting deleted
// or its amount changed alone, a holding's balance, a checkpoint, and a
// rewrite, however thorough, because the rewritten chain no longer ends at
// the head the checkpoint sealed. Only the full mode catches what keeps
// every count, sum and head (onlyFull): a field of an old transfer, an old
// posting changed with its counterpart and the balance, old postings
// swapped. (A case that the default mode comes to catch may drop onlyFull.)
func TestTamperDetected(t *testing.T) {
	cases := []struct {
		name     string
		onlyFull bool
		tamper   func(t *testing.T, db *store.DB, l *both)
	}{
		{"posting amount updated", false, func(t *testing.T, db *store.DB, l *both) {
			r := chain(t, db, "CG", "city")[1]
			if n := exec(t, db, "UPDATE postings SET amount = amount + 1 WHERE transfer_id = ? AND line = ?", r.TransferID, r.Line); n != 1 {
				t.Fatalf("updated %d rows", n)
			}
		}},
		{"posting amount and its counterpart updated", true, func(t *testing.T, db *store.DB, l *both) {
			r := chain(t, db, "CG", "city")[1]
			exec(t, db, "UPDATE postings SET amount = amount + 100 WHERE transfer_id = ? AND line = ?", r.TransferID, r.Line)
			exec(t, db, "UPDATE postings SET amount = amount - 100 WHERE transfer_id = ? AND holder = 'external'", r.TransferID)
			exec(t, db, "UPDATE holdings SET balance = balance + 100 WHERE fund_code = 'CG' AND holder = 'city'")
		}},
		{"transfer payee_name updated", true, func(t *testing.T, db *store.DB, l *both) {
			var id string
			db.G.Raw("SELECT id FROM transfers WHERE type = 'expenditure' ORDER BY id LIMIT 1").Scan(&id)
			if n := exec(t, db, "UPDATE transfers SET payee_name = '某空壳公司' WHERE id = ?", id); n != 1 {
				t.Fatalf("updated %d rows", n)
			}
		}},
		{"transfer amount updated", true, func(t *testing.T, db *store.DB, l *both) {
			exec(t, db, "UPDATE transfers SET amount = amount + 1 WHERE id = (SELECT MIN(id) FROM transfers)")
		}},
		{"transfer booked_on updated", true, func(t *testing.T, db *store.DB, l *both) {
			exec(t, db, "UPDATE transfers SET booked_on = '2025-12-31' WHERE type = 'reversal'")
		}},
		{"posting deleted", false, func(t *testing.T, db *store.DB, l *both) {
			r := chain(t, db, "CG", "city")[1]
			if n := exec(t, db, "DELETE FROM postings WHERE transfer_id = ? AND line = ?", r.TransferID, r.Line); n != 1 {
				t.Fatalf("deleted %d rows", n)
			}
		}},
		{"posting deleted with its counterpart", false, func(t *testing.T, db *store.DB, l *both) {
			r := chain(t, db, "CG", "city")[1]
			exec(t, db, "DELETE FROM postings WHERE transfer_id = ?", r.TransferID)
			exec(t, db, "UPDATE holdings SET balance = balance - ? WHERE fund_code = 'CG' AND holder = 'city'", r.Amount)
		}},
		{"two postings swapped in a chain", true, func(t *testing.T, db *store.DB, l *both) {
			rows := chain(t, db, "CG", "city")
			a, b := rows[1], rows[2]
			exec(t, db, "UPDATE postings SET chain_seq = -1 WHERE transfer_id = ? AND line = ?", a.TransferID, a.Line)
			exec(t, db, "UPDATE postings SET chain_seq = ? WHERE transfer_id = ? AND line = ?", a.ChainSeq, b.TransferID, b.Line)
			exec(t, db, "UPDATE postings SET chain_seq = ? WHERE transfer_id = ? AND line = ?", b.ChainSeq, a.TransferID, a.Line)
		}},
		{"last posting of a chain deleted", false, func(t *testing.T, db *store.DB, l *both) {
			rows := chain(t, db, "CG", "city")
			last := rows[len(rows)-1]
			if n := exec(t, db, "DELETE FROM postings WHERE transfer_id = ? AND line = ?", last.TransferID, last.Line); n != 1 {
				t.Fatalf("deleted %d rows", n)
			}
		}},
		{"last posting of a chain deleted and the holding wound back", false, func(t *testing.T, db *store.DB, l *both) {
			rows := chain(t, db, "CG", "city")
			last := rows[len(rows)-1]
			var prev string
			db.G.Raw("SELECT prev_hash FROM postings WHERE transfer_id = ? AND line = ?", last.TransferID, last.Line).Scan(&prev)
			exec(t, db, "DELETE FROM postings WHERE transfer_id = ? AND line = ?", last.TransferID, last.Line)
			exec(t, db, "UPDATE holdings SET balance = balance - ?, chain_seq = chain_seq - 1, chain_head = ? WHERE fund_code = 'CG' AND holder = 'city'",
				last.Amount, prev)
		}},
		{"holding balance updated", false, func(t *testing.T, db *store.DB, l *both) {
			exec(t, db, "UPDATE holdings SET balance = balance + 1 WHERE fund_code = 'CG2' AND holder = 'city'")
		}},
		{"checkpoint altered", false, func(t *testing.T, db *store.DB, l *both) {
			exec(t, db, "UPDATE checkpoints SET holdings = holdings + 1")
		}},
		{"posting rewritten and every later hash recomputed", false, func(t *testing.T, db *store.DB, l *both) {
			rewrite(t, db, l, 2, money.MustParse("2000.00"))
		}},
		{"newest sealed posting rewritten and recomputed", false, func(t *testing.T, db *store.DB, l *both) {
			rewrite(t, db, l, 3, money.MustParse("3000.00"))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				l, ctx := books(t, db)
				if _, err := l.Checkpoint(ctx); err != nil {
					t.Fatal(err)
				}
				if r := verify(t, l, proof.Full); !r.OK || r.Checked == 0 || r.Checkpoints != 1 || r.Mode != proof.Full {
					t.Fatalf("untampered books: %+v", r)
				}
				if r := verify(t, l, proof.SinceCheckpoint); !r.OK || r.Checked != 0 || r.Mode != proof.SinceCheckpoint ||
					r.Since == nil || r.Since.Seq != 1 {
					t.Fatalf("untampered books since the checkpoint: %+v", r)
				}
				c.tamper(t, db, l)
				r := verify(t, l, proof.Full)
				if r.OK {
					t.Fatalf("tampering not detected: %+v", r)
				}
				if r.Where == "" || r.Problem == "" {
					t.Errorf("report does not say where or what: %+v", r)
				}
				t.Logf("full: detected at %s: %s", r.Where, r.Problem)
				since := verify(t, l, proof.SinceCheckpoint)
				switch {
				case c.onlyFull && !since.OK:
					t.Errorf("the default mode now catches a change before the checkpoint (drop onlyFull): %s at %s", since.Problem, since.Where)
				case c.onlyFull:
					t.Logf("since the checkpoint: not detected, as documented (only --full)")
				case since.OK:
					t.Fatalf("tampering not detected since the checkpoint: %+v", since)
				case since.Where == "" || since.Problem == "":
					t.Errorf("report does not say where or what: %+v", since)
				default:
					t.Logf("since the checkpoint: detected at %s: %s", since.Where, since.Problem)
				}
			})
		})
	}
}

// TestUntamperedVerifies: the books verify with and without checkpoints, and
// with more postings after the latest checkpoint.
func TestUntamperedVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, ctx := books(t, db)
		r := verify(t, l, proof.Full)
		if !r.OK || r.Problem != "" || r.Where != "" || r.Checked == 0 || r.Head == "" {
			t.Fatalf("no checkpoint: %+v", r)
		}
		// Without a checkpoint the default mode is the full one.
		if d := verify(t, l, proof.SinceCheckpoint); !d.OK || d.Mode != proof.Full || d.Since != nil || d.Checked != r.Checked {
			t.Fatalf("no checkpoint, default mode: %+v", d)
		}
		cp, err := l.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		svc := app.New(db, nil)
		t.Cleanup(svc.Close)
		if _, err := svc.Movements.Receive(ctx, movement.Receipt{Fund: "CG", Amount: money.MustParse("1.00"), ReceivedOn: "2026-05-01",
			Payer: movement.Party{Name: "江苏省财政厅"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		r = verify(t, l, proof.Full)
		if !r.OK || r.Checkpoints != 2 || r.Head == cp.Hash {
			t.Fatalf("after two checkpoints: %+v", r)
		}
		if d := verify(t, l, proof.SinceCheckpoint); !d.OK || d.Mode != proof.SinceCheckpoint || d.Since.Seq != 2 || d.Head != r.Head {
			t.Fatalf("after two checkpoints, since the newest: %+v", d)
		}
	})
}

// TestRewriteIsOnlyCaughtByTheCheckpoint checks that the attacker of the
// rewrite case is thorough: without a checkpoint to compare with, the
// rewritten books are internally consistent, so it is the checkpoint (and
// the head it gave auditors) that catches the rewrite.
func TestRewriteIsOnlyCaughtByTheCheckpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, _ := books(t, db)
		before := verify(t, l, proof.Full)
		rewrite(t, db, l, 2, money.MustParse("2000.00"))
		r := verify(t, l, proof.Full)
		if !r.OK {
			t.Fatalf("the simulated attacker left an inconsistency, so the checkpoint case proves less: %+v", r)
		}
		if r.Head == before.Head {
			t.Errorf("the head digest did not change after a rewrite: %s", r.Head)
		}
	})
}

// both reads the books and proves them.
type both struct {
	*ledger.Ledger
	*proof.Books
}
