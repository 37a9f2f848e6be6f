package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/recon"
	"renofund/internal/store"
)

// ErrAccountExists refuses a second registration of an account number.
var ErrAccountExists = errs.New(errs.Conflict, "bank_account_exists", "the bank account is already registered")

// Account is a district's bank account: the funds it serves (none listed:
// every fund of the district) and the column mapping of its bank's
// statements when the built-in names do not cover them.
type Account struct {
	ID        string        `json:"id"`
	District  string        `json:"district"`
	Bank      string        `json:"bank"`
	AccountNo string        `json:"account_no"`
	Name      string        `json:"name"`
	Funds     []string      `json:"funds"`
	Mapping   recon.Mapping `json:"mapping,omitempty"`
	CreatedBy string        `json:"created_by"`
	CreatedAt string        `json:"created_at"`
}

// AccountIn registers an account.
type AccountIn struct {
	District  string        `json:"district"`
	Bank      string        `json:"bank"`
	AccountNo string        `json:"account_no"`
	Name      string        `json:"name"`
	Funds     []string      `json:"funds,omitempty"`
	Mapping   recon.Mapping `json:"mapping,omitempty"`
}

// check refuses empty or over-long names and an account number that is not
// 6 to 30 digits or capital letters (Chinese banks' account numbers run to
// about 25) (spaces and dashes as banks print them dropped).
func (in *AccountIn) check() error {
	in.AccountNo = strings.NewReplacer(" ", "", "-", "").Replace(in.AccountNo)
	for _, f := range []struct{ name, v string }{{"bank", in.Bank}, {"name", in.Name}} {
		if err := field.Text(f.name, f.v, true, 100); err != nil {
			return err
		}
	}
	ok := len(in.AccountNo) >= 6 && len(in.AccountNo) <= 30
	for _, r := range in.AccountNo {
		ok = ok && (r >= '0' && r <= '9' || r >= 'A' && r <= 'Z')
	}
	if !ok {
		return fmt.Errorf("%w: account_no must be 6 to 30 digits or capital letters", errs.ErrInvalidRequest)
	}
	if len(in.Funds) > 100 {
		return fmt.Errorf("%w: at most 100 funds", errs.ErrInvalidRequest)
	}
	return in.Mapping.Check()
}

// CreateAccount registers a district's bank account; its funds must be
// funds the caller sees.
func (s *Service) CreateAccount(ctx context.Context, in AccountIn) (*Account, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if err := s.writableDistrict(ctx, in.District); err != nil {
		return nil, err
	}
	funds := slices.Clone(in.Funds)
	slices.Sort(funds)
	funds = slices.Compact(funds)
	for _, code := range funds {
		if _, err := s.districts.Fund(ctx, code); err != nil {
			return nil, err
		}
	}
	if funds == nil {
		funds = []string{}
	}
	a := &Account{ID: ledger.NewID(), District: in.District, Bank: strings.TrimSpace(in.Bank), AccountNo: in.AccountNo,
		Name: strings.TrimSpace(in.Name), Funds: funds, Mapping: in.Mapping, CreatedBy: access.From(ctx).Label(), CreatedAt: store.Now()}
	fj, _ := json.Marshal(a.Funds)
	mj, _ := json.Marshal(a.Mapping)
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO bank_accounts (id, district_code, bank, account_no, name, funds, mapping, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?,?)`, a.ID, a.District, a.Bank, a.AccountNo, a.Name, string(fj), string(mj), a.CreatedBy, a.CreatedAt).Error
	})
	if store.UniqueViolation(err) {
		return nil, fmt.Errorf("%w: %s", ErrAccountExists, a.AccountNo)
	}
	return a, err
}

// writableDistrict checks that the caller acts for an existing district.
func (s *Service) writableDistrict(ctx context.Context, district string) error {
	if err := funding.Writable(access.From(ctx), district); err != nil {
		return err
	}
	if ok, err := s.districts.DistrictExists(ctx, district); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%w: district %q", errs.ErrNotFound, district)
		}
		return err
	}
	return nil
}

type accountRow struct {
	ID, DistrictCode, Bank, AccountNo, Name, Funds, Mapping, CreatedBy, CreatedAt string
}

func (r accountRow) account() Account {
	a := Account{ID: r.ID, District: r.DistrictCode, Bank: r.Bank, AccountNo: r.AccountNo, Name: r.Name,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	_ = json.Unmarshal([]byte(r.Funds), &a.Funds)
	_ = json.Unmarshal([]byte(r.Mapping), &a.Mapping)
	return a
}

const selectAccount = `SELECT id, district_code, bank, account_no, name, funds, mapping, created_by, created_at FROM bank_accounts`

// Accounts lists the bank accounts the caller sees (a district its own),
// optionally of one district, by id, a page after the cursor.
func (s *Service) Accounts(ctx context.Context, district, after string, limit int) ([]Account, error) {
	district, err := access.From(ctx).Area(district)
	if err != nil {
		return nil, err
	}
	q, args := selectAccount+" WHERE id > ?", []any{after}
	if district != "" {
		q, args = q+" AND district_code = ?", append(args, district)
	}
	var rows []accountRow
	if err := s.db.Conn(ctx).Raw(q+" ORDER BY id LIMIT ?", append(args, limit)...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Account, len(rows))
	for i, r := range rows {
		out[i] = r.account()
	}
	return out, nil
}

// account loads an account the caller sees; another district's does not
// exist for it.
func (s *Service) account(ctx context.Context, id string) (*Account, error) {
	var rows []accountRow
	if err := s.db.Conn(ctx).Raw(selectAccount+" WHERE id = ?", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 || !access.From(ctx).Sees(rows[0].DistrictCode) {
		return nil, fmt.Errorf("%w: bank account %q", errs.ErrNotFound, id)
	}
	a := rows[0].account()
	return &a, nil
}
