package audit

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"renofund/internal/access"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/period"
	"renofund/internal/store"
)

// File is one file of an export directory as the manifest lists it.
type File struct {
	Path   string `json:"path"` // relative to the directory
	Format string `json:"format"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	Rows   *int64 `json:"rows,omitempty"` // trail rows, for the trail files
}

// Manifest is manifest.json: what was exported, from which state of the
// ledger, and how to check it.
type Manifest struct {
	GeneratedAt   string `json:"generated_at"`
	GeneratedBy   string `json:"generated_by"`
	Filters       Filter `json:"filters"`
	RowDefinition string `json:"row_definition"`
	Rows          int64  `json:"rows"`
	Files         []File `json:"files"`
	// Totals are the trail rows' amounts per fund (see Totals).
	Totals map[string]Totals `json:"totals"`
	// Ledger is the ledger's own sums over the same snapshot and filter,
	// computed from the postings and holdings rather than from the rows.
	Ledger LedgerTotals `json:"ledger"`
	// Reconciled says every fund's row totals equal the ledger's to the fen.
	Reconciled bool `json:"reconciled"`
	// Checkpoint is the tamper-evidence checkpoint sealed just before the
	// export; Verify is the verification run with it (Verify.Head is the
	// checkpoint chain's head).
	Checkpoint *proof.Checkpoint `json:"checkpoint"`
	Verify     *proof.Report     `json:"verify"`
	Snapshot   Snapshot          `json:"snapshot"`
	// Periods is every closed or reopened period with its seal and the
	// history of its steps (who closed it, who reopened it and why).
	Periods *period.Books `json:"periods"`
	// Attachments are the evidence documents of the filter's area, each
	// content once under attachments/<sha256> (see writeAttachments);
	// VerifyDir checks them with the files.
	Attachments []AttachmentFile `json:"attachments"`
	// BalanceStatements are the filter's district's signed balance
	// statements, each under balance-statements/<id>.json.
	BalanceStatements []BalanceStatementFile `json:"balance_statements"`
}

// ExportDir writes the trail into dir for the command line: trail.csv,
// trail.jsonl and trail.xlsx from one consistent snapshot of the database,
// datapackage.json describing them, and manifest.json. Before reading it
// seals a fresh checkpoint and verifies the hash chains, so the manifest
// carries the checkpoint's sequence and hash and the verification's head.
// Scoping and filters are those of Export.
func ExportDir(ctx context.Context, db *store.DB, l *ledger.Ledger, dir string, f Filter) (*Manifest, error) {
	f, err := Scope(ctx, f)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	cp, err := proof.New(l.DB()).Checkpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	rep, err := proof.New(l.DB()).Verify(ctx, proof.Full)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	m := &Manifest{GeneratedAt: store.Now(), GeneratedBy: access.From(ctx).Label(), Filters: f,
		RowDefinition: RowDefinition, Checkpoint: cp, Verify: rep}
	err = db.Snapshot(ctx, func(ctx context.Context) error {
		for _, format := range []Format{CSV, JSONL, XLSX} {
			var st Stats
			file, err := writeFile(dir, format.FileName(), string(format), func(w io.Writer) error {
				var err error
				st, err = export(ctx, db, w, format, f)
				return err
			})
			if err != nil {
				return fmt.Errorf("%s: %w", format.FileName(), err)
			}
			rows := st.Rows
			file.Rows = &rows
			m.Files = append(m.Files, file)
			if format == CSV {
				m.Rows, m.Totals = st.Rows, st.Funds
			} else if st.Rows != m.Rows {
				return fmt.Errorf("audit: %s has %d rows, trail.csv %d", format.FileName(), st.Rows, m.Rows)
			}
		}
		if m.Ledger, err = ledgerTotals(ctx, l, f); err != nil {
			return err
		}
		if m.Periods, err = period.New(l).List(ctx); err != nil {
			return err
		}
		if m.Attachments, err = writeAttachments(ctx, db, dir, f); err != nil {
			return fmt.Errorf("attachments: %w", err)
		}
		if m.BalanceStatements, err = writeStatements(ctx, db, dir, f); err != nil {
			return fmt.Errorf("balance statements: %w", err)
		}
		m.Snapshot, err = snapshotHeads(ctx, l, cp)
		return err
	})
	if err != nil {
		return nil, store.Translate(err)
	}
	m.Reconciled = reconciled(m.Totals, m.Ledger)
	dp, err := writeFile(dir, "datapackage.json", "json", func(w io.Writer) error {
		return writeJSON(w, dataPackage(m))
	})
	if err != nil {
		return nil, err
	}
	m.Files = append(m.Files, dp)
	if _, err := writeFile(dir, "manifest.json", "json", func(w io.Writer) error { return writeJSON(w, m) }); err != nil {
		return nil, err
	}
	return m, nil
}

// hashCounter hashes and counts what passes through it.
type hashCounter struct {
	h hash.Hash
	n int64
}

func (c *hashCounter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

// writeFile creates dir/name, lets fill write it, and returns its size and
// SHA-256 as written.
func writeFile(dir, name, format string, fill func(w io.Writer) error) (File, error) {
	out, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return File{}, err
	}
	defer out.Close()
	hc := &hashCounter{h: sha256.New()}
	bw := bufio.NewWriterSize(out, 256<<10)
	if err := fill(io.MultiWriter(bw, hc)); err != nil {
		return File{}, err
	}
	if err := bw.Flush(); err != nil {
		return File{}, err
	}
	if err := out.Sync(); err != nil {
		return File{}, err
	}
	if err := out.Close(); err != nil {
		return File{}, err
	}
	return File{Path: name, Format: format, SHA256: hex.EncodeToString(hc.h.Sum(nil)), Bytes: hc.n}, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
