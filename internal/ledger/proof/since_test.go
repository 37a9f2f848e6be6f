package proof_test

import (
	"context"
	"testing"

	"renofund/funding/movement"
	"renofund/internal/app"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// after posts, after a checkpoint, a receipt into CG and an allocation and
// a payment from it, so that CG/city's chain grows by two postings (6 and 7)
// after the sealed position 5, on booking dates nothing before used.
func after(t *testing.T, db *store.DB, l *both, ctx context.Context) {
	t.Helper()
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	if _, err := svc.Movements.Receive(ctx, movement.Receipt{Fund: "CG", Amount: money.MustParse("40.00"), ReceivedOn: "2026-05-06",
		Payer: movement.Party{Name: "江苏省财政厅"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Movements.Allocate(ctx, movement.Allocation{Fund: "CG", From: "city", To: "project:HZ-001",
		Amount: money.MustParse("30.00"), AllocatedOn: "2026-05-07"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Movements.Spend(ctx, movement.Expenditure{Project: "HZ-001", Category: "basic", Amount: money.MustParse("25.00"),
		Payee:  movement.Party{Name: "连云港市政工程有限公司", CreditCode: payee, BankAccount: "6222020000000001"},
		PaidOn: "2026-05-08", Purpose: "路面修补", Funding: []movement.Part{{Fund: "CG", Amount: money.MustParse("25.00")}}}); err != nil {
		t.Fatal(err)
	}
}

// TestTamperSinceCheckpoint alters what was written after the newest
// checkpoint, and the checkpoints themselves: both modes must catch each.
func TestTamperSinceCheckpoint(t *testing.T) {
	newest := func(t *testing.T, db *store.DB) chainRow {
		rows := chain(t, db, "CG", "city")
		if len(rows) != 7 {
			t.Fatalf("CG/city has %d postings, want 7", len(rows))
		}
		return rows[6]
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, db *store.DB, l *both)
	}{
		{"new transfer payee_name updated", func(t *testing.T, db *store.DB, l *both) {
			exec(t, db, "UPDATE transfers SET payee_name = '某空壳公司' WHERE purpose = '路面修补'")
		}},
		{"new transfer booked_on updated", func(t *testing.T, db *store.DB, l *both) {
			exec(t, db, "UPDATE transfers SET booked_on = '2026-05-09' WHERE purpose = '路面修补'")
		}},
		{"new posting and its counterpart updated, balances adjusted", func(t *testing.T, db *store.DB, l *both) {
			r := newest(t, db) // the allocation out of the city
			exec(t, db, "UPDATE postings SET amount = amount - 100 WHERE transfer_id = ? AND line = ?", r.TransferID, r.Line)
			exec(t, db, "UPDATE postings SET amount = amount + 100 WHERE transfer_id = ? AND line <> ?", r.TransferID, r.Line)
			exec(t, db, "UPDATE holdings SET balance = balance - 100 WHERE fund_code = 'CG' AND holder = 'city'")
			exec(t, db, "UPDATE holdings SET balance = balance + 100 WHERE fund_code = 'CG' AND holder = 'project:HZ-001'")
		}},
		{"two new postings swapped", func(t *testing.T, db *store.DB, l *both) {
			rows := chain(t, db, "CG", "city")
			a, b := rows[5], rows[6]
			exec(t, db, "UPDATE postings SET chain_seq = -1 WHERE transfer_id = ? AND line = ?", a.TransferID, a.Line)
			exec(t, db, "UPDATE postings SET chain_seq = ? WHERE transfer_id = ? AND line = ?", a.ChainSeq, b.TransferID, b.Line)
			exec(t, db, "UPDATE postings SET chain_seq = ? WHERE transfer_id = ? AND line = ?", b.ChainSeq, a.TransferID, a.Line)
		}},
		{"newest posting deleted and the holding wound back", func(t *testing.T, db *store.DB, l *both) {
			r := newest(t, db)
			var prev string
			db.G.Raw("SELECT prev_hash FROM postings WHERE transfer_id = ? AND line = ?", r.TransferID, r.Line).Scan(&prev)
			exec(t, db, "DELETE FROM postings WHERE transfer_id = ? AND line = ?", r.TransferID, r.Line)
			exec(t, db, "UPDATE holdings SET balance = balance - ?, chain_seq = chain_seq - 1, chain_head = ? WHERE fund_code = 'CG' AND holder = 'city'",
				r.Amount, prev)
		}},
		{"kept total of a day written since edited", func(t *testing.T, db *store.DB, l *both) {
			if n := exec(t, db, "UPDATE holding_days SET received = received + 1 WHERE booked_on = '2026-05-06'"); n == 0 {
				t.Fatal("no kept total on 2026-05-06")
			}
		}},
		{"kept month of a day written since edited", func(t *testing.T, db *store.DB, l *both) {
			exec(t, db, "UPDATE holding_months SET spent = spent + 1 WHERE month = '2026-05' AND holder = 'project:HZ-001'")
		}},
		{"the newest checkpoint's heads edited", func(t *testing.T, db *store.DB, l *both) {
			if _, err := l.Checkpoint(context.Background()); err != nil {
				t.Fatal(err)
			}
			exec(t, db, "UPDATE checkpoints SET heads = REPLACE(heads, '|7|', '|6|') WHERE seq = 2")
		}},
		{"the checkpoint deleted", func(t *testing.T, db *store.DB, l *both) {
			exec(t, db, "DELETE FROM checkpoints")
			// With no checkpoint left, both modes recompute everything; the
			// head auditors were given is what no longer matches (r.Head).
			exec(t, db, "UPDATE transfers SET payee_name = '某空壳公司' WHERE purpose = '路面修补'")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				l, ctx := books(t, db)
				after(t, db, l, ctx)
				if r := verify(t, l, proof.SinceCheckpoint); !r.OK || r.Mode != proof.SinceCheckpoint || r.Checked != 4 || r.Transfers != 3 {
					t.Fatalf("untampered books since the checkpoint: %+v", r)
				}
				c.tamper(t, db, l)
				for _, mode := range []proof.Mode{proof.SinceCheckpoint, proof.Full} {
					r := verify(t, l, mode)
					if r.OK || r.Where == "" || r.Problem == "" {
						t.Fatalf("%s: tampering not detected or not located: %+v", mode, r)
					}
					t.Logf("%s (ran %s): detected at %s: %s", mode, r.Mode, r.Where, r.Problem)
				}
			})
		})
	}
}

// TestSinceCheckpointScope: the default mode recomputes what was written
// after the checkpoint and no more, reports the checkpoint it started from,
// and a bad full= value is refused.
func TestSinceCheckpointScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, ctx := books(t, db)
		after(t, db, l, ctx)
		cp, err := l.Latest(ctx)
		if err != nil || cp == nil {
			t.Fatalf("latest checkpoint: %v %v", cp, err)
		}
		r := verify(t, l, proof.SinceCheckpoint)
		// The receipt (CG/city), the allocation (CG/city, CG/project), the
		// payment (CG/project): four postings of three transfers.
		if !r.OK || r.Since == nil || r.Since.Seq != cp.Seq || r.Since.Hash != cp.Hash || r.Head != cp.Hash || r.Checked != 4 || r.Transfers != 3 {
			t.Fatalf("since %+v: %+v", cp, r)
		}
		full := verify(t, l, proof.Full)
		if !full.OK || full.Since != nil || full.Checked <= r.Checked || full.Head != r.Head {
			t.Fatalf("full: %+v", full)
		}
		for full, want := range map[string]proof.Mode{"": proof.SinceCheckpoint, "false": proof.SinceCheckpoint, "true": proof.Full} {
			if got := proof.ModeOf(full); got != want {
				t.Errorf("ModeOf(%q) = %s, want %s", full, got, want)
			}
		}
		if _, err := l.Verify(ctx, proof.ModeOf("yes")); err == nil {
			t.Error("full=yes was accepted")
		}
		var n int64
		db.G.Raw("SELECT COUNT(*) FROM postings WHERE holder <> ?", ledger.External).Scan(&n)
		if full.Checked != n {
			t.Errorf("full checked %d postings of %d", full.Checked, n)
		}
	})
}
