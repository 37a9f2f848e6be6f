package reconcile

import (
	"context"
	"sort"
	"strings"

	"renofund/funding/report"
	"renofund/internal/access"
	"renofund/internal/ledger"
	"renofund/internal/ledger/bankbook"
)

// standing loads every reconciliation of district ("" for every district
// the caller sees) as it stands, oldest first.
func (s *Service) standing(ctx context.Context, district string) ([]*Reconciliation, error) {
	district, err := access.From(ctx).Area(district)
	if err != nil {
		return nil, err
	}
	var ids []string
	if err := s.db.Conn(ctx).Raw("SELECT id FROM reconciliations WHERE ? = '' OR district_code = ? ORDER BY id",
		district, district).Scan(&ids).Error; err != nil {
		return nil, err
	}
	out := make([]*Reconciliation, 0, len(ids))
	for _, id := range ids {
		r, _, _, err := s.load(ctx, s.db.Conn(ctx), id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// UnmatchedDebits are the bank debits of the district's statements (every
// district's the caller sees, for "") that no match accounts for, by
// reconciliation and line.
func (s *Service) UnmatchedDebits(ctx context.Context, district string) ([]report.BankItem, error) {
	rs, err := s.standing(ctx, district)
	if err != nil {
		return nil, err
	}
	var out []report.BankItem
	for _, r := range rs {
		for _, b := range r.UnmatchedBank {
			if b.Amount < 0 {
				out = append(out, report.BankItem{Reconciliation: r.ID, Account: r.Account, District: r.District, Line: b.Line,
					Date: b.Date, Amount: -b.Amount, CoveredTo: r.StatementTo,
					Counterparty: strings.TrimSpace(b.Counterparty + " " + b.Summary)})
			}
		}
	}
	return out, nil
}

// UnmatchedPayments are the payments out of the district's books (every
// district's the caller sees, for "") that reconciliations hold and none
// matches, reversals and what they reversed left out, each with the last
// date the statements holding it cover; in date order.
func (s *Service) UnmatchedPayments(ctx context.Context, district string) ([]report.BankItem, error) {
	rs, err := s.standing(ctx, district)
	if err != nil {
		return nil, err
	}
	matched := map[string]bool{}
	byID := map[string]*report.BankItem{}
	for _, r := range rs {
		for _, p := range r.Matched {
			matched[p.Movement.ID] = true
		}
		for _, g := range r.Groups {
			for _, m := range g.Movements {
				matched[m.ID] = true
			}
		}
		for _, m := range r.UnmatchedLedger {
			if m.Amount >= 0 || m.Type == ledger.TypeReversal {
				continue
			}
			it := byID[m.ID]
			if it == nil {
				it = &report.BankItem{Transfer: m.ID, VoucherNo: m.VoucherNo, District: r.District, Date: m.Date, Amount: -m.Amount}
				byID[m.ID] = it
			}
			if r.StatementTo >= it.CoveredTo {
				it.Reconciliation, it.Account, it.CoveredTo = r.ID, r.Account, r.StatementTo
			}
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		if !matched[id] {
			ids = append(ids, id)
		}
	}
	reversed, err := bankbook.Reversed(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]report.BankItem, 0, len(ids))
	for _, id := range ids {
		if !reversed[id] {
			out = append(out, *byID[id])
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Date < out[j].Date || out[i].Date == out[j].Date && out[i].VoucherNo < out[j].VoucherNo
	})
	return out, nil
}
