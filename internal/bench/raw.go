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
	"sync/atomic"

	"renofund/internal/store"
)

// raw is the baseline: a plain SQL ledger at its best. One transfer locks its
// two accounts in code order, inserts the transfer and its two entries,
// advances both balances and hash-chain heads and commits, in a single round
// trip: on PostgreSQL one call of a server-side function (autocommit, so the
// call is the transaction), on SQLite one transaction on the single writer
// connection with prepared statements. There is no HTTP, no JSON, no ORM, no
// idempotency record and no gap-free voucher number, so it is the ceiling the
// service is measured against, not a copy of it. Its tables (and function)
// live in a scratch schema (or file) of their own, never in the books.
type raw struct {
	db      *store.DB
	sql     *sql.DB
	pg      bool
	seq     atomic.Int64
	cleanup func()
	stmts   map[string]*sql.Stmt // SQLite: prepared once on the writer connection
}

// rawStart is every account's opening balance: enough that no run drains one.
const rawStart = 1_000_000_000_000_000

// rawAmount is what each transfer moves, in fen.
const rawAmount = 100

func newRaw(ctx context.Context, main *store.DB, mainURL string, accounts []string, clients int) (*raw, error) {
	if len(accounts) < 2 {
		return nil, fmt.Errorf("raw baseline: want at least 2 accounts, got %d", len(accounts))
	}
	u, cleanup, err := rawURL(ctx, main, mainURL)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, u)
	if err != nil {
		cleanup()
		return nil, err
	}
	r := &raw{db: db, sql: db.SQL, pg: db.Dialect == store.Postgres, cleanup: cleanup}
	if r.pg {
		// As many connections as clients, each its own session.
		r.sql.SetMaxOpenConns(clients)
		r.sql.SetMaxIdleConns(clients)
	} else {
		// SQLite has one writer: every client queues for the one connection.
		r.sql.SetMaxOpenConns(1)
		r.sql.SetMaxIdleConns(1)
	}
	ddl := rawSchema
	if r.pg {
		ddl = append(ddl, rawFunction)
	}
	for _, s := range ddl {
		if _, err := r.sql.ExecContext(ctx, s); err != nil {
			r.close()
			return nil, fmt.Errorf("raw baseline schema: %w", err)
		}
	}
	for _, a := range accounts {
		if _, err := r.sql.ExecContext(ctx, r.q("INSERT INTO raw_accounts (code, balance, chain_seq, chain_head) VALUES (?, ?, 0, '')"), a, rawStart); err != nil {
			r.close()
			return nil, err
		}
	}
	if !r.pg {
		r.stmts = map[string]*sql.Stmt{}
		for name, s := range rawSQLite {
			st, err := r.sql.PrepareContext(ctx, s)
			if err != nil {
				r.close()
				return nil, fmt.Errorf("raw baseline prepare %s: %w", name, err)
			}
			r.stmts[name] = st
		}
	}
	return r, nil
}

// rawSchema is the baseline's ledger: accounts with a balance and a hash
// chain head, transfers, and their entries, keyed by text as the books are.
var rawSchema = []string{
	`DROP TABLE IF EXISTS raw_entries`,
	`DROP TABLE IF EXISTS raw_transfers`,
	`DROP TABLE IF EXISTS raw_accounts`,
	`CREATE TABLE raw_accounts (code TEXT PRIMARY KEY, balance BIGINT NOT NULL CHECK (balance >= 0),
		chain_seq BIGINT NOT NULL, chain_head TEXT NOT NULL)`,
	`CREATE TABLE raw_transfers (id TEXT PRIMARY KEY, from_account TEXT NOT NULL, to_account TEXT NOT NULL,
		amount BIGINT NOT NULL, recorded_at TEXT NOT NULL, hash TEXT NOT NULL)`,
	`CREATE TABLE raw_entries (transfer_id TEXT NOT NULL REFERENCES raw_transfers (id), line INTEGER NOT NULL,
		account TEXT NOT NULL, amount BIGINT NOT NULL, chain_seq BIGINT NOT NULL, prev_hash TEXT NOT NULL,
		hash TEXT NOT NULL, PRIMARY KEY (transfer_id, line))`,
	`CREATE UNIQUE INDEX raw_entries_by_chain ON raw_entries (account, chain_seq)`,
}

// rawFunction is the whole PostgreSQL transfer, one call per transfer. The
// two account rows are locked in code order (the sort runs below the row
// locks), so concurrent transfers over the same pair cannot deadlock.
const rawFunction = `CREATE FUNCTION raw_transfer(p_id TEXT, p_from TEXT, p_to TEXT, p_amount BIGINT, p_at TEXT)
RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
	a RECORD;
	f_seq BIGINT; f_head TEXT; t_seq BIGINT; t_head TEXT;
	th TEXT; fh TEXT; toh TEXT;
BEGIN
	FOR a IN SELECT code, chain_seq, chain_head FROM raw_accounts WHERE code IN (p_from, p_to) ORDER BY code FOR UPDATE LOOP
		IF a.code = p_from THEN f_seq := a.chain_seq; f_head := a.chain_head;
		ELSE t_seq := a.chain_seq; t_head := a.chain_head; END IF;
	END LOOP;
	IF f_seq IS NULL OR t_seq IS NULL THEN RAISE EXCEPTION 'raw_transfer: no account % or %', p_from, p_to; END IF;
	th := encode(sha256(convert_to(p_id || '|' || p_from || '|' || p_to || '|' || p_amount || '|' || p_at, 'UTF8')), 'hex');
	fh := encode(sha256(convert_to(f_head || '|' || th, 'UTF8')), 'hex');
	toh := encode(sha256(convert_to(t_head || '|' || th, 'UTF8')), 'hex');
	INSERT INTO raw_transfers (id, from_account, to_account, amount, recorded_at, hash)
		VALUES (p_id, p_from, p_to, p_amount, p_at, th);
	INSERT INTO raw_entries (transfer_id, line, account, amount, chain_seq, prev_hash, hash)
		VALUES (p_id, 1, p_from, -p_amount, f_seq + 1, f_head, fh), (p_id, 2, p_to, p_amount, t_seq + 1, t_head, toh);
	UPDATE raw_accounts SET balance = balance - p_amount, chain_seq = f_seq + 1, chain_head = fh WHERE code = p_from;
	UPDATE raw_accounts SET balance = balance + p_amount, chain_seq = t_seq + 1, chain_head = toh WHERE code = p_to;
END $$`

// rawSQLite is the same transfer as statements for one SQLite transaction.
var rawSQLite = map[string]string{
	"lock": `SELECT code, chain_seq, chain_head FROM raw_accounts WHERE code IN (?, ?) ORDER BY code`,
	"transfer": `INSERT INTO raw_transfers (id, from_account, to_account, amount, recorded_at, hash)
		VALUES (?, ?, ?, ?, ?, ?)`,
	"entries": `INSERT INTO raw_entries (transfer_id, line, account, amount, chain_seq, prev_hash, hash)
		VALUES (?, 1, ?, ?, ?, ?, ?), (?, 2, ?, ?, ?, ?, ?)`,
	"update": `UPDATE raw_accounts SET balance = balance + ?, chain_seq = ?, chain_head = ? WHERE code = ?`,
}

// rawURL makes a scratch place for the baseline: a schema beside the
// bench's on PostgreSQL (named after the bench's own schema when its URL
// sets a search_path), a file beside it on SQLite.
func rawURL(ctx context.Context, main *store.DB, mainURL string) (string, func(), error) {
	if main.Dialect == store.SQLite {
		path := strings.TrimPrefix(mainURL, "sqlite:")
		f := filepath.Join(filepath.Dir(path), "bench-raw.db")
		return "sqlite:" + f, func() {}, nil
	}
	pu, err := url.Parse(mainURL)
	if err != nil {
		return "", nil, err
	}
	q := pu.Query()
	schema := "renofund_bench_raw"
	if sp := q.Get("search_path"); sp != "" && !strings.ContainsAny(sp, ", \"'") {
		schema = sp + "_raw"
	}
	if err := main.G.WithContext(ctx).Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE").Error; err != nil {
		return "", nil, err
	}
	if err := main.G.WithContext(ctx).Exec("CREATE SCHEMA " + schema).Error; err != nil {
		return "", nil, err
	}
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	// The schema and everything in it, the function included, go at the end.
	return pu.String(), func() { main.G.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE") }, nil
}

// describe says how the baseline runs, for the table.
func (r *raw) describe(clients int) string {
	if r.pg {
		return fmt.Sprintf("one call of a server-side function per transfer (lock 2 accounts in order, 2 inserts, 2 updates, commit), %d connections", clients)
	}
	return "one transaction per transfer on the single writer connection (read 2 accounts, 2 inserts, 2 updates, commit)"
}

func (r *raw) close() {
	for _, s := range r.stmts {
		s.Close()
	}
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

// spread moves money between accounts far apart in the list, so that
// concurrent transfers rarely share an account.
func (r *raw) spread(accounts []string) func(context.Context, int, int) (int, error) {
	n := len(accounts)
	return func(ctx context.Context, _, i int) (int, error) {
		from, to := accounts[i%n], accounts[(i+n/2)%n]
		if from == to {
			to = accounts[(i+1)%n]
		}
		return 1, r.transfer(ctx, from, to)
	}
}

// hot moves money from every other account into the first: every transfer
// locks the same account.
func (r *raw) hot(accounts []string) func(context.Context, int, int) (int, error) {
	hot, others := accounts[0], accounts[1:]
	return func(ctx context.Context, _, i int) (int, error) {
		return 1, r.transfer(ctx, others[i%len(others)], hot)
	}
}

func (r *raw) transfer(ctx context.Context, from, to string) error {
	id := fmt.Sprintf("raw-%d", r.seq.Add(1))
	at := store.Now()
	if r.pg {
		_, err := r.sql.ExecContext(ctx, "SELECT raw_transfer($1, $2, $3, $4, $5)", id, from, to, int64(rawAmount), at)
		return err
	}
	tx, err := r.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := tx.StmtContext(ctx, r.stmts["lock"]).QueryContext(ctx, from, to)
	if err != nil {
		return err
	}
	type acct struct {
		seq  int64
		head string
	}
	got := map[string]acct{}
	for rows.Next() {
		var code string
		var a acct
		if err := rows.Scan(&code, &a.seq, &a.head); err != nil {
			rows.Close()
			return err
		}
		got[code] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	f, okF := got[from]
	t, okT := got[to]
	if !okF || !okT {
		return fmt.Errorf("raw transfer: no account %s or %s", from, to)
	}
	th := digest(id, from, to, fmt.Sprint(rawAmount), at)
	fh, toh := digest(f.head, th), digest(t.head, th)
	if _, err := tx.StmtContext(ctx, r.stmts["transfer"]).ExecContext(ctx, id, from, to, rawAmount, at, th); err != nil {
		return err
	}
	if _, err := tx.StmtContext(ctx, r.stmts["entries"]).ExecContext(ctx,
		id, from, -rawAmount, f.seq+1, f.head, fh, id, to, rawAmount, t.seq+1, t.head, toh); err != nil {
		return err
	}
	upd := tx.StmtContext(ctx, r.stmts["update"])
	if _, err := upd.ExecContext(ctx, -rawAmount, f.seq+1, fh, from); err != nil {
		return err
	}
	if _, err := upd.ExecContext(ctx, rawAmount, t.seq+1, toh, to); err != nil {
		return err
	}
	return tx.Commit()
}

func digest(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "|")))
	return hex.EncodeToString(sum[:])
}
