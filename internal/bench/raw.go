package bench

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"renofund/internal/store"
)

// raw is the baseline: the same balance update and inserts as a posted
// receipt (lock the holding, take a voucher number, insert the transfer and
// its two postings, update the balance and chain head), written straight
// with database/sql, no HTTP, no JSON, no ORM, no idempotency record. It runs
// on its own copy of the schema so it cannot disturb the real books.
type raw struct {
	db      *store.DB
	sql     *sql.DB
	pg      bool
	mu      sync.Mutex // SQLite has one writer; queue here as the service does
	seq     atomic.Int64
	cleanup func()
}

func newRaw(ctx context.Context, main *store.DB, mainURL string, funds []string) (*raw, error) {
	u, cleanup, err := rawURL(ctx, main, mainURL)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	for _, f := range funds {
		err := db.G.Exec(`INSERT INTO funds (code, kind, name, holder, fiscal_year, document_no, budget_subject, direct,
			eligible_categories, repayable, created_by, created_at) VALUES (?, 'resident_contribution', ?, 'city', 2026, '',
			'2210108', false, 'improvement', false, 'bench', ?)`, f, f, store.Now()).Error
		if err == nil {
			err = db.G.Exec("INSERT INTO holdings (fund_code, holder, balance, chain_seq, chain_head) VALUES (?, 'city', 0, 0, '')", f).Error
		}
		if err != nil {
			return nil, err
		}
	}
	return &raw{db: db, sql: db.SQL, pg: db.Dialect == store.Postgres, cleanup: cleanup}, nil
}

// rawURL makes a scratch place for the baseline: a schema beside the
// bench's on PostgreSQL, a file beside it on SQLite.
func rawURL(ctx context.Context, main *store.DB, mainURL string) (string, func(), error) {
	if main.Dialect == store.SQLite {
		path := strings.TrimPrefix(mainURL, "sqlite:")
		return "sqlite:" + filepath.Join(filepath.Dir(path), "bench-raw.db"), func() {}, nil
	}
	schema := "renofund_bench_raw"
	if err := main.G.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE").Error; err != nil {
		return "", nil, err
	}
	if err := main.G.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		return "", nil, err
	}
	pu, err := url.Parse(mainURL)
	if err != nil {
		return "", nil, err
	}
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String(), func() { main.G.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE") }, nil
}

func (r *raw) close() {
	r.db.Close()
	r.cleanup()
}

// q rewrites ? placeholders as $n for PostgreSQL.
func (r *raw) q(s string) string {
	if !r.pg {
		return s
	}
	var b strings.Builder
	n := 0
	for _, c := range s {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (r *raw) single(funds []string) func(context.Context, int, int) (int, error) {
	lock := r.q("SELECT balance, chain_seq, chain_head FROM holdings WHERE fund_code = ? AND holder = 'city'")
	if r.pg {
		lock += " FOR UPDATE"
	}
	voucher := r.q(`INSERT INTO voucher_counters (fiscal_year, last_seq) VALUES (2026, 1)
		ON CONFLICT (fiscal_year) DO UPDATE SET last_seq = voucher_counters.last_seq + 1 RETURNING last_seq`)
	insT := r.q(`INSERT INTO transfers (id, fiscal_year, voucher_seq, voucher_no, type, base_type, fund_code, to_holder,
		amount, booked_on, payer_name, recorded_by, recorded_at, hash) VALUES (?, 2026, ?, ?, 'receipt', 'receipt', ?, 'city',
		100, '2026-06-01', 'bench', 'bench', ?, ?)`)
	insP := r.q(`INSERT INTO postings (transfer_id, line, fund_code, holder, amount, chain_seq, prev_hash, hash)
		VALUES (?, 1, ?, 'city', 100, ?, ?, ?), (?, 2, ?, 'external', -100, NULL, NULL, NULL)`)
	upd := r.q("UPDATE holdings SET balance = ?, chain_seq = ?, chain_head = ? WHERE fund_code = ? AND holder = 'city'")
	return func(ctx context.Context, _, i int) (int, error) {
		fund := funds[i%len(funds)]
		id := fmt.Sprintf("raw-%d", r.seq.Add(1))
		if !r.pg {
			r.mu.Lock()
			defer r.mu.Unlock()
		}
		tx, err := r.sql.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		defer tx.Rollback()
		var bal, seq int64
		var head string
		if err := tx.QueryRowContext(ctx, lock, fund).Scan(&bal, &seq, &head); err != nil {
			return 0, err
		}
		var vseq int64
		if err := tx.QueryRowContext(ctx, voucher).Scan(&vseq); err != nil {
			return 0, err
		}
		th := digest(id, fund)
		ph := digest(head, th)
		if _, err := tx.ExecContext(ctx, insT, id, vseq, fmt.Sprintf("2026-%08d", vseq), fund, store.Now(), th); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, insP, id, fund, seq+1, head, ph, id, fund); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, upd, bal+100, seq+1, ph, fund); err != nil {
			return 0, err
		}
		return 1, tx.Commit()
	}
}

func digest(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "|")))
	return hex.EncodeToString(sum[:])
}
