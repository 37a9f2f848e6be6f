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

// raw is the baseline: a plain SQL ledger doing what a posted receipt does
// (lock the account, take a voucher number, insert the transfer and its two
// entries, update the balance and chain head), written straight with
// database/sql, no HTTP, no JSON, no ORM, no idempotency record. It keeps
// its own small tables in a scratch schema (or file), apart from the books.
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
	for _, ddl := range rawSchema {
		if err := db.G.Exec(ddl).Error; err != nil {
			return nil, err
		}
	}
	for _, f := range funds {
		if err := db.G.Exec("INSERT INTO raw_accounts (code, balance, chain_seq, chain_head) VALUES (?, 0, 0, '')", f).Error; err != nil {
			return nil, err
		}
	}
	return &raw{db: db, sql: db.SQL, pg: db.Dialect == store.Postgres, cleanup: cleanup}, nil
}

// rawSchema is the baseline's ledger: accounts with a balance and a hash
// chain head, a voucher counter, transfers and their entries, with the same
// keys and uniqueness the books have.
var rawSchema = []string{
	`DROP TABLE IF EXISTS raw_entries`,
	`DROP TABLE IF EXISTS raw_transfers`,
	`DROP TABLE IF EXISTS raw_counters`,
	`DROP TABLE IF EXISTS raw_accounts`,
	`CREATE TABLE raw_accounts (code TEXT PRIMARY KEY, balance BIGINT NOT NULL CHECK (balance >= 0),
		chain_seq BIGINT NOT NULL, chain_head TEXT NOT NULL)`,
	`CREATE TABLE raw_counters (fiscal_year INTEGER PRIMARY KEY, last_seq BIGINT NOT NULL)`,
	`CREATE TABLE raw_transfers (id TEXT PRIMARY KEY, fiscal_year INTEGER NOT NULL, voucher_seq BIGINT NOT NULL,
		voucher_no TEXT NOT NULL, account TEXT NOT NULL, amount BIGINT NOT NULL, booked_on TEXT NOT NULL,
		recorded_at TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (fiscal_year, voucher_seq))`,
	`CREATE TABLE raw_entries (transfer_id TEXT NOT NULL REFERENCES raw_transfers (id), line INTEGER NOT NULL,
		account TEXT NOT NULL, amount BIGINT NOT NULL, chain_seq BIGINT, prev_hash TEXT, hash TEXT,
		PRIMARY KEY (transfer_id, line))`,
	`CREATE UNIQUE INDEX raw_entries_by_chain ON raw_entries (account, chain_seq)`,
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
	lock := r.q("SELECT balance, chain_seq, chain_head FROM raw_accounts WHERE code = ?")
	if r.pg {
		lock += " FOR UPDATE"
	}
	voucher := r.q(`INSERT INTO raw_counters (fiscal_year, last_seq) VALUES (2026, 1)
		ON CONFLICT (fiscal_year) DO UPDATE SET last_seq = raw_counters.last_seq + 1 RETURNING last_seq`)
	insT := r.q(`INSERT INTO raw_transfers (id, fiscal_year, voucher_seq, voucher_no, account, amount, booked_on,
		recorded_at, hash) VALUES (?, 2026, ?, ?, ?, 100, '2026-06-01', ?, ?)`)
	insP := r.q(`INSERT INTO raw_entries (transfer_id, line, account, amount, chain_seq, prev_hash, hash)
		VALUES (?, 1, ?, 100, ?, ?, ?), (?, 2, 'external', -100, NULL, NULL, NULL)`)
	upd := r.q("UPDATE raw_accounts SET balance = ?, chain_seq = ?, chain_head = ? WHERE code = ?")
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
		if _, err := tx.ExecContext(ctx, insP, id, fund, seq+1, head, ph, id); err != nil {
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
