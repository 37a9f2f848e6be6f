package movement

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/funding/works"
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

	Project     string `json:"project,omitempty"`
	Category    string `json:"category,omitempty"`
	Payee       *Party `json:"payee,omitempty"`
	VoucherNo   string `json:"voucher_no,omitempty"`
	PaidOn      string `json:"paid_on,omitempty"`
	Purpose     string `json:"purpose,omitempty"`
	Funding     []Part `json:"funding,omitempty"`
	ForceReason string `json:"force_reason,omitempty"`
	PayeeID     string `json:"payee_id,omitempty"`
	Contract    string `json:"contract,omitempty"`
	Retention   bool   `json:"retention,omitempty"`
	// Attachments: as Expenditure.Attachments.
	Attachments []string `json:"attachments,omitempty"`
}

// Batch applies up to MaxBatch items in one database transaction, all or
// none. Every holding is locked once for the whole batch and rows are written
// in bulk; automatic attribution sees the balances as earlier items in the
// same batch left them. A refusal names the item ("items[17]: …").
func (s *Service) Batch(ctx context.Context, items []BatchItem) (string, []*ledger.Transfer, error) {
	if len(items) == 0 || len(items) > MaxBatch {
		return "", nil, fmt.Errorf("%w: a batch holds 1 to %d items, got %d", errs.ErrInvalidRequest, MaxBatch, len(items))
	}
	ctx = funding.WithLookups(ctx)
	id := ledger.NewID()
	var ts []*ledger.Transfer
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		// Read (and share-lock) each project's standing once per
		// transaction; a retry starts with none.
		ctx = works.WithStandings(ctx)
		ts = make([]*ledger.Transfer, 0, len(items))
		b := &batchState{s: s, ctx: ctx, balances: map[string]map[string]money.Amount{},
			pending: map[string]map[string]money.Amount{}, earlier: noEarlier()}
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
		if err != nil {
			return err
		}
		for i, it := range items {
			if err := s.bind(ctx, ts[i], it.Attachments); err != nil {
				return fmt.Errorf("items[%d]: %w", i, err)
			}
		}
		return nil
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
	ctx      context.Context                    // the batch's transaction
	balances map[string]map[string]money.Amount // project holder → fund → balance, once read
	pending  map[string]map[string]money.Amount // changes to projects not read yet
	earlier  *earlier                           // paid under contracts by earlier items
}

func (b *batchState) build(ctx context.Context, it BatchItem) (*ledger.Transfer, error) {
	if it.Attachments != nil && it.Type != ledger.TypeExpenditure {
		return nil, fmt.Errorf("%w: only a payment names attachments", errs.ErrInvalidRequest)
	}
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
			PaidOn: it.PaidOn, Purpose: it.Purpose, Funding: it.Funding, ForceReason: it.ForceReason, PayeeID: it.PayeeID,
			Contract: it.Contract, Retention: it.Retention, Attachments: it.Attachments}
		if it.Payee != nil {
			in.Payee = *it.Payee
		}
		return b.s.expenditureTransfer(ctx, in, b.projectBalances, b.earlier)
	}
	return nil, fmt.Errorf("%w: type %q must be receipt, allocation or expenditure", errs.ErrInvalidRequest, it.Type)
}

// projectBalances is a project's holdings as the batch's earlier items left
// them, read under lock the first time the batch needs them.
func (b *batchState) projectBalances(project string) ([]ledger.Holding, error) {
	holder := funding.ProjectHolder(project)
	m, ok := b.balances[holder]
	if !ok {
		locked, err := b.s.ledger.LockHolder(b.ctx, holder)
		if err != nil {
			return nil, err
		}
		m = map[string]money.Amount{}
		for _, h := range locked {
			m[h.Fund] = h.Balance
		}
		for fund, d := range b.pending[holder] {
			m[fund] += d
		}
		b.balances[holder] = m
	}
	hs := make([]ledger.Holding, 0, len(m))
	for fund, v := range m {
		hs = append(hs, ledger.Holding{Fund: fund, Holder: holder, Balance: v})
	}
	return hs, nil
}

// apply moves the batch's view of project balances by a built transfer.
func (b *batchState) apply(t *ledger.Transfer) {
	b.earlier.add(t)
	for _, p := range t.Postings {
		if p.Project == "" {
			continue // not a project's holding
		}
		m, ok := b.balances[p.Holder]
		if !ok {
			if m = b.pending[p.Holder]; m == nil {
				m = map[string]money.Amount{}
				b.pending[p.Holder] = m
			}
		}
		m[p.Fund] += p.Amount
	}
}

// FundingOf is what paid for a transfer: the money each fund put into it,
// in posting order (the positive postings, summed per fund).
func FundingOf(t *ledger.Transfer) []Part {
	out := make([]Part, 0, 1)
	for _, p := range t.Postings {
		if p.Amount <= 0 {
			continue
		}
		i := slices.IndexFunc(out, func(q Part) bool { return q.Fund == p.Fund })
		if i < 0 {
			out = append(out, Part{Fund: p.Fund, Amount: p.Amount})
		} else {
			out[i].Amount += p.Amount
		}
	}
	return out
}
