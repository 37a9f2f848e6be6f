package audit

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"renofund/internal/store"
)

// StatementsDir is where an export directory keeps the signed balance
// statements, each as stored at signing, under its id.
const StatementsDir = "balance-statements"

// BalanceStatementFile is a signed balance statement (银行存款余额调节表) an
// export carries: SHA256 is the digest stored when it was signed, which
// the file must still have (VerifyDir checks it); Reviewed is empty until
// the finance bureau has reviewed it.
type BalanceStatementFile struct {
	ID             string `json:"id"`
	Reconciliation string `json:"reconciliation"`
	Account        string `json:"account,omitempty"`
	District       string `json:"district"`
	Month          string `json:"month"`
	SignedBy       string `json:"signed_by"`
	SignedAt       string `json:"signed_at"`
	ReviewedBy     string `json:"reviewed_by,omitempty"`
	ReviewedAt     string `json:"reviewed_at,omitempty"`
	SHA256         string `json:"sha256"`
	Bytes          int64  `json:"bytes"`
	Path           string `json:"path"` // balance-statements/<id>.json
}

// writeStatements writes the signed balance statements of the filter's
// district (every district's without one) into dir/balance-statements,
// each body as stored, and lists them by district, month and id.
func writeStatements(ctx context.Context, db *store.DB, dir string, f Filter) ([]BalanceStatementFile, error) {
	var rows []struct {
		ID, ReconciliationID, DistrictCode, Month, Body, Sha256, SignedBy, SignedAt string
		AccountID, ReviewedBy, ReviewedAt                                           *string
	}
	err := db.Conn(ctx).Raw(`SELECT b.id, b.reconciliation_id, b.district_code, b.month, b.body, b.sha256, b.signed_by,
			b.signed_at, rc.account_id, r.reviewed_by, r.reviewed_at
		FROM balance_statements b JOIN reconciliations rc ON rc.id = b.reconciliation_id
		LEFT JOIN balance_statement_reviews r ON r.statement_id = b.id
		WHERE ? = '' OR b.district_code = ? ORDER BY b.district_code, b.month, b.id`, f.District, f.District).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return []BalanceStatementFile{}, err
	}
	if err := os.MkdirAll(filepath.Join(dir, StatementsDir), 0o750); err != nil {
		return nil, err
	}
	out := make([]BalanceStatementFile, 0, len(rows))
	for _, r := range rows {
		s := BalanceStatementFile{ID: r.ID, Reconciliation: r.ReconciliationID, Account: store.Str(r.AccountID),
			District: r.DistrictCode, Month: r.Month, SignedBy: r.SignedBy, SignedAt: r.SignedAt,
			ReviewedBy: store.Str(r.ReviewedBy), ReviewedAt: store.Str(r.ReviewedAt), SHA256: r.Sha256,
			Path: StatementsDir + "/" + r.ID + ".json"}
		file, err := writeFile(dir, s.Path, "json", func(w io.Writer) error {
			_, err := io.WriteString(w, r.Body)
			return err
		})
		if err != nil {
			return nil, err
		}
		s.Bytes = file.Bytes
		out = append(out, s)
	}
	return out, nil
}
