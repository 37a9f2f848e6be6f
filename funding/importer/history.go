package importer

import (
	"context"

	"renofund/internal/access"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Record is one stored import: who imported which file into which fund,
// when, and what became of its rows.
type Record struct {
	ID         string       `json:"id"`
	Fund       string       `json:"fund"`
	FileName   string       `json:"file_name,omitempty"`
	FileSHA256 string       `json:"file_sha256"`
	Format     string       `json:"format"`
	Partial    bool         `json:"partial"`
	Rows       int64        `json:"rows"`
	Imported   int64        `json:"imported"`
	Duplicates int64        `json:"duplicates"`
	Rejected   int64        `json:"rejected"`
	Total      money.Amount `json:"total"`
	CreatedBy  string       `json:"created_by"`
	CreatedAt  string       `json:"created_at"`
}

// HistoryFilter selects imports; empty fields select all.
type HistoryFilter struct {
	Fund  string
	After string // cursor: the last id of the previous page
	Limit int
}

// History lists stored imports in id order. A district sees the imports
// into the funds registered to it or its projects (the only ones it may
// import into); naming a fund it may not see is not found.
func (im *Importer) History(ctx context.Context, f HistoryFilter) ([]Record, error) {
	q := `SELECT i.id, i.fund_code, i.file_name, i.file_sha256, i.format, i.partial, i.rows_total, i.imported,
		i.duplicates, i.rejected, i.amount, i.created_by, i.created_at FROM imports i`
	var args []any
	a := access.From(ctx)
	if a.Role == access.District {
		q, args = q+" JOIN funds f ON f.code = i.fund_code AND f.district_code = ?", append(args, a.District)
	}
	q, args = q+" WHERE i.id > ?", append(args, f.After)
	if f.Fund != "" {
		if _, err := im.reg.Fund(ctx, f.Fund); err != nil {
			return nil, err
		}
		q, args = q+" AND i.fund_code = ?", append(args, f.Fund)
	}
	var rows []struct {
		ID, FundCode, FileSHA256, Format, CreatedBy, CreatedAt string
		FileName                                               *string
		Partial                                                bool
		RowsTotal, Imported, Duplicates, Rejected, Amount      int64
	}
	if err := im.db.Conn(ctx).Raw(q+" ORDER BY i.id LIMIT ?", append(args, f.Limit)...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Record, len(rows))
	for i, r := range rows {
		out[i] = Record{ID: r.ID, Fund: r.FundCode, FileName: store.Str(r.FileName), FileSHA256: r.FileSHA256,
			Format: r.Format, Partial: r.Partial, Rows: r.RowsTotal, Imported: r.Imported, Duplicates: r.Duplicates,
			Rejected: r.Rejected, Total: money.Amount(r.Amount), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	}
	return out, nil
}
