package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"renofund/internal/store"
)

// AttachmentsDir is where an export directory keeps its evidence documents,
// each content once under its SHA-256.
const AttachmentsDir = "attachments"

// AttachmentFile is one evidence document an export carries: the
// attachment as recorded (funding/evidence) and the file holding it.
type AttachmentFile struct {
	ID       string `json:"id"`
	Subject  string `json:"subject"`
	BoundTo  string `json:"bound_to,omitempty"` // the payment a document uploaded beforehand supports
	Kind     string `json:"kind"`
	FileName string `json:"file_name,omitempty"`
	SHA256   string `json:"sha256"`
	Bytes    int64  `json:"bytes"`
	Path     string `json:"path"` // attachments/<sha256>
}

// writeAttachments writes the documents of the filter's district and
// project (every one attached to a transfer, contract or acceptance there;
// the fund and the dates do not narrow them) into dir/attachments, each
// content once, as stored; documents still waiting for their payment are
// not evidence of anything yet and stay out.
func writeAttachments(ctx context.Context, db *store.DB, dir string, f Filter) ([]AttachmentFile, error) {
	conds := []string{"(a.subject <> 'transfer:new' OR b.transfer_id IS NOT NULL)"}
	var args []any
	if f.District != "" {
		conds, args = append(conds, "COALESCE(b.district_code, a.district_code) = ?"), append(args, f.District)
	}
	if f.Project != "" {
		conds, args = append(conds, "COALESCE(b.project_code, a.project_code) = ?"), append(args, f.Project)
	}
	var rows []struct {
		ID, Subject, Kind, SHA256 string
		FileName, TransferID      *string
		Bytes                     int64
	}
	err := db.Conn(ctx).Raw(`SELECT a.id, a.subject, a.kind, a.sha256, a.file_name, b.transfer_id, a.bytes
		FROM attachments a LEFT JOIN attachment_bindings b ON b.attachment_id = a.id
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY a.chain_seq`, args...).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return []AttachmentFile{}, err
	}
	if err := os.MkdirAll(filepath.Join(dir, AttachmentsDir), 0o750); err != nil {
		return nil, err
	}
	out := make([]AttachmentFile, 0, len(rows))
	written := map[string]bool{}
	for _, r := range rows {
		a := AttachmentFile{ID: r.ID, Subject: r.Subject, Kind: r.Kind, FileName: store.Str(r.FileName), SHA256: r.SHA256,
			Bytes: r.Bytes, Path: AttachmentsDir + "/" + r.SHA256}
		if r.TransferID != nil {
			a.BoundTo = "transfer:" + *r.TransferID
		}
		out = append(out, a)
		if written[r.SHA256] {
			continue
		}
		written[r.SHA256] = true
		var content [][]byte
		if err := db.Conn(ctx).Raw("SELECT content FROM attachment_contents WHERE sha256 = ?", r.SHA256).Scan(&content).Error; err != nil {
			return nil, err
		}
		if len(content) != 1 {
			return nil, fmt.Errorf("audit: the content of attachment %s is not stored", r.ID)
		}
		if _, err := writeFile(dir, a.Path, "binary", func(w io.Writer) error {
			_, err := w.Write(content[0])
			return err
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// VerifyDir checks an export directory against its manifest: every file's
// SHA-256 and size, and every evidence document's content and signed
// balance statement against the SHA-256 and size the manifest lists for it
// (a statement's the digest stored when it was signed). It names the first
// file that disagrees.
func VerifyDir(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return err
	}
	var m struct {
		Files             []File                 `json:"files"`
		Attachments       []AttachmentFile       `json:"attachments"`
		BalanceStatements []BalanceStatementFile `json:"balance_statements"`
	}
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&m); err != nil {
		return fmt.Errorf("manifest.json: %w", err)
	}
	check := func(path, sha string, size int64, what string) error {
		if filepath.IsAbs(path) || strings.Contains(path, "..") {
			return fmt.Errorf("%s: the manifest names a path outside the export", path)
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != sha || int64(len(b)) != size {
			return fmt.Errorf("%s: %s is %d bytes with SHA-256 %s, the manifest says %d bytes, %s", path, what, len(b), got, size, sha)
		}
		return nil
	}
	for _, f := range m.Files {
		if err := check(f.Path, f.SHA256, f.Bytes, "the file"); err != nil {
			return err
		}
	}
	for _, a := range m.Attachments {
		if a.Path != AttachmentsDir+"/"+a.SHA256 {
			return fmt.Errorf("attachment %s: listed at %s, not under its SHA-256", a.ID, a.Path)
		}
		if err := check(a.Path, a.SHA256, a.Bytes, "attachment "+a.ID); err != nil {
			return err
		}
	}
	for _, b := range m.BalanceStatements {
		if err := check(b.Path, b.SHA256, b.Bytes, "balance statement "+b.ID); err != nil {
			return err
		}
	}
	return nil
}
