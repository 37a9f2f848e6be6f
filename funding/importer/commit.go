package importer

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/sheet"
	"renofund/internal/store"
)

// job is one checked file on its way to the database.
type job struct {
	target *target
	tab    *table
	rows   []*row
	opt    Options
	format Format
	sha    string
}

// chunk is how many of the file's rows go to the ledger in one call: it
// bounds the size of each statement and paces the progress callback. All
// chunks share one transaction.
const chunk = 5000

// commit decides, in one transaction, which rows are new, which were
// imported before and which break the provident-fund rule, and posts the new
// ones with their import records: all of them or, when the file is refused,
// none. Concurrent imports into the same fund are serialised on the fund's
// row, so the second one sees the first one's rows as duplicates; should two
// ever insert the same row key anyway, the unique key refuses the later one.
func (im *Importer) commit(ctx context.Context, j *job) (*Result, error) {
	if !j.opt.Partial && j.target.fund.Kind != "provident_fund" {
		// Nothing in the database can add to the refusal: skip the transaction.
		var bad []sheet.LineError
		for _, r := range j.rows {
			bad = append(bad, r.problems...)
		}
		if len(bad) > 0 {
			return nil, &sheet.LineErrors{Rows: bad}
		}
	}
	var res *Result
	err := im.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		res, err = im.run(ctx, tx, j)
		return err
	})
	if store.UniqueViolation(err) {
		return nil, fmt.Errorf("%w: a concurrent import of the same rows into fund %s won; import the file again to add what is left",
			errs.ErrConflict, j.target.fund.Code)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// run is one attempt of the transaction; it keeps no state across attempts.
func (im *Importer) run(ctx context.Context, tx *gorm.DB, j *job) (*Result, error) {
	f := j.target.fund
	if err := im.lock(tx, f.Code); err != nil {
		return nil, err
	}
	done, err := importedKeys(tx, f.Code, j.rows)
	if err != nil {
		return nil, err
	}
	var taken map[string]money.Amount
	if f.Kind == "provident_fund" {
		// What the fund has already received for each household, receipts
		// net of their reversals, whether imported or entered one by one.
		if taken, err = im.ledger.HouseholdReceipts(ctx, f.Code); err != nil {
			return nil, err
		}
	}
	res := &Result{ID: ledger.NewID(), Fund: f.Code, FileSHA256: j.sha, Rows: len(j.rows), Rejects: []sheet.LineError{}}
	accept := make([]bool, len(j.rows))
	var rejected []*row
	var problems [][]sheet.LineError
	for i, r := range j.rows {
		ps := r.problems
		if len(ps) == 0 && done[r.key] {
			res.Duplicates++
			continue
		}
		if len(ps) == 0 && taken != nil {
			if p, ok := withinShare(r, taken); !ok {
				ps = []sheet.LineError{p}
			}
		}
		if len(ps) > 0 {
			rejected = append(rejected, r)
			problems = append(problems, ps)
			res.Rejects = append(res.Rejects, ps...)
			continue
		}
		accept[i] = true
		res.Imported++
		if res.Total += r.receipt.Amount; res.Total > money.Max {
			return nil, fmt.Errorf("%w: the rows add up to more than 10^15 yuan", errs.ErrInvalidAmount)
		}
	}
	res.Rejected = len(rejected)
	if res.Rejected > 0 && !j.opt.Partial {
		return nil, &sheet.LineErrors{Rows: res.Rejects}
	}
	if res.Rejected > 0 {
		res.RejectsCSV = rejectsCSV(j.tab.header, rejected, problems)
	}
	err = tx.Exec(`INSERT INTO imports (id, fund_code, file_sha256, file_name, format, partial, rows_total, imported,
		duplicates, rejected, amount, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		res.ID, f.Code, res.FileSHA256, store.Null(j.opt.FileName), j.format.String(), j.opt.Partial, res.Rows,
		res.Imported, res.Duplicates, res.Rejected, int64(res.Total), access.From(ctx).Label(), store.Now()).Error
	if err != nil {
		return nil, err
	}
	return res, im.post(ctx, tx, j, res.ID, accept)
}

var importRowCols = []string{"fund_code", "row_key", "transfer_id", "import_id", "line"}

// post writes the accepted rows, a chunk of the file at a time: their
// transfers through the ledger and their keys, reporting progress as it goes.
func (im *Importer) post(ctx context.Context, tx *gorm.DB, j *job, id string, accept []bool) error {
	total := len(j.rows)
	progress := j.opt.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	progress(0, total)
	for start := 0; start < total; start += chunk {
		end := min(start+chunk, total)
		var ts []*ledger.Transfer
		var keys [][]any
		for i := start; i < end; i++ {
			if !accept[i] {
				continue
			}
			r := j.rows[i]
			t, err := im.moves.ReceiptTransfer(ctx, r.receipt)
			if err != nil {
				return err
			}
			t.ID = ledger.NewID()
			ts = append(ts, t)
			keys = append(keys, []any{j.target.fund.Code, r.key, t.ID, id, r.line})
		}
		if len(ts) > 0 {
			if err := im.ledger.Post(ctx, ts...); err != nil {
				return err
			}
			if err := store.InsertMany(tx, "import_rows", importRowCols, keys); err != nil {
				return err
			}
		}
		progress(end, total)
	}
	return nil
}

// lock serialises imports into one fund. On PostgreSQL it takes the fund's
// row (FOR NO KEY UPDATE, so inserts that merely reference the fund are not
// held up); statements after it see what an import that held it committed.
// SQLite's immediate transactions already hold the database's write lock.
func (im *Importer) lock(tx *gorm.DB, fund string) error {
	if im.db.Dialect != store.Postgres {
		return nil
	}
	var codes []string
	return tx.Raw("SELECT code FROM funds WHERE code = ? FOR NO KEY UPDATE", fund).Scan(&codes).Error
}
