package funding

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// MaxBatch is the most items one batch may hold.
const MaxBatch = 10000

// BatchItem is one receipt, allocation or expenditure in a batch; the fields
// are those of the single-item request of its type.
type BatchItem struct {
	Type string `json:"type"` // receipt, allocation or expenditure

	Fund       string       `json:"fund,omitempty"`
	Amount     money.Amount `json:"amount"`
	ReceivedOn string       `json:"received_on,omitempty"`
	Payer      *Party       `json:"payer,omitempty"`
	Reference  string       `json:"reference,omitempty"`
	Household  string       `json:"household,omitempty"`

	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	DocumentNo  string `json:"document_no,omitempty"`
	Memo        string `json:"memo,omitempty"`
	AllocatedOn string `json:"allocated_on,omitempty"`

	Project   string `json:"project,omitempty"`
	Category  string `json:"category,omitempty"`
	Payee     *Party `json:"payee,omitempty"`
	VoucherNo string `json:"voucher_no,omitempty"`
	PaidOn    string `json:"paid_on,omitempty"`
	Purpose   string `json:"purpose,omitempty"`
	Funding   []Part `json:"funding,omitempty"`
}

// Batch applies up to MaxBatch items in one database transaction, all or
// none. Every holding is locked once for the whole batch and rows are written
// in bulk; automatic attribution sees the balances as earlier items in the
// same batch left them. A refusal names the item ("items[17]: …").
func (s *Service) Batch(ctx context.Context, items []BatchItem) (string, []*ledger.Transfer, error) {
	if len(items) == 0 || len(items) > MaxBatch {
		return "", nil, fmt.Errorf("%w: a batch holds 1 to %d items, got %d", errs.ErrInvalidRequest, MaxBatch, len(items))
	}
	ctx = WithLookups(ctx)
	id := ledger.NewID()
	var ts []*ledger.Transfer
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		ts = make([]*ledger.Transfer, 0, len(items))
		b := &batchState{s: s, tx: tx, balances: map[string]map[string]int64{}, pending: map[string]map[string]int64{}}
		for i, it := range items {
			t, err := b.build(ctx, it)
			if err != nil {
				return fmt.Errorf("items[%d]: %w", i, err)
			}
			t.BatchID = id
			b.apply(t)
			ts = append(ts, t)
		}
		err := s.ledger.Post(ctx, ts...)
		var ie *ledger.ItemError
		if errors.As(err, &ie) {
			return fmt.Errorf("items[%d]: %w", ie.Index, ie.Err)
		}
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return id, ts, nil
}

// batchState tracks project balances as the batch's earlier items leave
// them, for automatic attribution.
type batchState struct {
	s        *Service
	tx       *gorm.DB
	balances map[string]map[string]int64 // project holder → fund → balance, once read
	pending  map[string]map[string]int64 // changes to projects not read yet
}

func (b *batchState) build(ctx context.Context, it BatchItem) (*ledger.Transfer, error) {
	switch it.Type {
	case ledger.TypeReceipt:
		var payer Party
		if it.Payer != nil {
			payer = *it.Payer
		}
		return b.s.ReceiptTransfer(ctx, Receipt{Fund: it.Fund, Amount: it.Amount, ReceivedOn: it.ReceivedOn,
			Payer: payer, Reference: it.Reference, Household: it.Household})
	case ledger.TypeAllocation:
		return b.s.AllocationTransfer(ctx, Allocation{Fund: it.Fund, From: it.From, To: it.To, Amount: it.Amount,
			DocumentNo: it.DocumentNo, Memo: it.Memo, AllocatedOn: it.AllocatedOn})
	case ledger.TypeExpenditure:
		in := Expenditure{Project: it.Project, Category: it.Category, Amount: it.Amount, VoucherNo: it.VoucherNo,
			PaidOn: it.PaidOn, Purpose: it.Purpose, Funding: it.Funding}
		if it.Payee != nil {
			in.Payee = *it.Payee
		}
		return b.expenditure(ctx, in)
	}
	return nil, fmt.Errorf("%w: type %q must be receipt, allocation or expenditure", errs.ErrInvalidRequest, it.Type)
}

func (b *batchState) expenditure(ctx context.Context, in Expenditure) (*ledger.Transfer, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	a := access.From(ctx)
	p, err := b.s.Project(ctx, in.Project)
	if err != nil {
		return nil, err
	}
	if err := writable(a, p.District); err != nil {
		return nil, err
	}
	parts := in.Funding
	if parts == nil {
		bal, err := b.projectBalances(in.Project)
		if err != nil {
			return nil, err
		}
		var rows []holdingBalance
		for fund, v := range bal {
			rows = append(rows, holdingBalance{FundCode: fund, Balance: v})
		}
		if parts, err = b.s.split(ctx, rows, in); err != nil {
			return nil, err
		}
	} else if err := b.s.checkParts(ctx, in); err != nil {
		return nil, err
	}
	return spendTransfer(in, p, parts, a), nil
}

func (b *batchState) projectBalances(project string) (map[string]int64, error) {
	holder := holderOf(project)
	if m, ok := b.balances[holder]; ok {
		return m, nil
	}
	rows, err := b.s.projectBalances(b.tx, project)
	if err != nil {
		return nil, err
	}
	m := map[string]int64{}
	for _, r := range rows {
		m[r.FundCode] = r.Balance
	}
	for fund, d := range b.pending[holder] {
		m[fund] += d
	}
	b.balances[holder] = m
	return m, nil
}

// apply moves the batch's view of project balances by a built transfer.
func (b *batchState) apply(t *ledger.Transfer) {
	for _, p := range t.Postings {
		if ledger.HolderProject(p.Holder) == "" {
			continue
		}
		m, ok := b.balances[p.Holder]
		if !ok {
			if m = b.pending[p.Holder]; m == nil {
				m = map[string]int64{}
				b.pending[p.Holder] = m
			}
		}
		m[p.Fund] += int64(p.Amount)
	}
}
