package taxbook

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/window"
)

// Item is one recorded tax expenditure.
type Item struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`
	Regime     string          `json:"regime,omitempty"`
	On         string          `json:"on"`
	Party      Party           `json:"party"`
	Total      money.Amount    `json:"total"`
	Detail     json.RawMessage `json:"detail"`
	RecordedBy string          `json:"recorded_by"`
	RecordedAt string          `json:"recorded_at"`
	// ReversalOf names the record a reversing record reverses; ReversedBy
	// the reversing record of a reversed one.
	ReversalOf string `json:"reversal_of,omitempty"`
	ReversedBy string `json:"reversed_by,omitempty"`
}

// ProjectView is a project's tax expenditure.
type ProjectView struct {
	Project string       `json:"project"`
	Total   money.Amount `json:"total"`
	Items   []Item       `json:"items"`
}

// Project lists the tax expenditure recorded against a project; a reversed
// record and its reversal are both listed, and net to nothing in the total.
func (b *Book) Project(ctx context.Context, code string) (*ProjectView, error) {
	var ds []string
	if err := b.db.Conn(ctx).Raw("SELECT district_code FROM projects WHERE code = ?", code).Scan(&ds).Error; err != nil {
		return nil, err
	}
	if len(ds) == 0 || !access.From(ctx).Sees(ds[0]) {
		return nil, fmt.Errorf("%w: project %q", errs.ErrNotFound, code)
	}
	var rows []struct {
		ID, Kind, OnDate, PartyName, Detail, RecordedBy, RecordedAt string
		Regime, PartyCreditCode, ReversalOf                         *string
		Total                                                       int64
	}
	err := b.db.Conn(ctx).Raw(`SELECT id, kind, regime, on_date, party_name, party_credit_code, total, detail,
		recorded_by, recorded_at, reversal_of FROM tax_records WHERE project_code = ? ORDER BY on_date, id`, code).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	v := &ProjectView{Project: code, Items: []Item{}}
	reversedBy := map[string]string{}
	for _, r := range rows {
		if r.ReversalOf != nil {
			reversedBy[*r.ReversalOf] = r.ID
		}
	}
	for _, r := range rows {
		it := Item{ID: r.ID, Kind: r.Kind, On: r.OnDate, Party: Party{Name: r.PartyName}, Total: money.Amount(r.Total),
			Detail: json.RawMessage(r.Detail), RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt,
			ReversalOf: store.Str(r.ReversalOf), ReversedBy: reversedBy[r.ID]}
		if r.Regime != nil {
			it.Regime = *r.Regime
		}
		if r.PartyCreditCode != nil {
			it.Party.CreditCode = *r.PartyCreditCode
		}
		v.Items = append(v.Items, it)
		v.Total += it.Total
	}
	return v, nil
}

// Line is tax expenditure of one district and kind.
type Line struct {
	District string       `json:"district"` // or "city" for items not tied to a project
	Kind     string       `json:"kind"`
	Items    int64        `json:"items"` // net of reversals: a reversed record and its reversal count 0
	Total    money.Amount `json:"total"`
}

// Report is the city's tax expenditure by district and kind.
type Report struct {
	Lines []Line       `json:"lines"`
	Total money.Amount `json:"total"`
}

// Report sums tax expenditure by district and kind, net of reversals, of
// the records dated in w; a district sees its own.
func (b *Book) Report(ctx context.Context, w window.Window) (*Report, error) {
	q := `SELECT COALESCE(district_code, 'city') AS district, kind, SUM(CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END) AS items, SUM(total) AS total
		FROM tax_records WHERE 1 = 1`
	var args []any
	if a := access.From(ctx); a.Role == access.District {
		q += " AND district_code = ?"
		args = append(args, a.District)
	}
	if w.From != "" {
		q, args = q+" AND on_date >= ?", append(args, w.From)
	}
	if w.To != "" {
		q, args = q+" AND on_date <= ?", append(args, w.To)
	}
	q += " GROUP BY COALESCE(district_code, 'city'), kind"
	var rows []struct {
		District, Kind string
		Items, Total   int64
	}
	if err := b.db.Conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	r := &Report{Lines: []Line{}}
	for _, row := range rows {
		r.Lines = append(r.Lines, Line{District: row.District, Kind: row.Kind, Items: row.Items, Total: money.Amount(row.Total)})
		r.Total += money.Amount(row.Total)
	}
	// In byte order, whatever the database's collation.
	sort.Slice(r.Lines, func(i, j int) bool {
		if r.Lines[i].District != r.Lines[j].District {
			return r.Lines[i].District < r.Lines[j].District
		}
		return r.Lines[i].Kind < r.Lines[j].Kind
	})
	return r, nil
}
