package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/app/apptest"
	"renofund/internal/demo"
	"renofund/internal/ledger/proof"
)

// TestHelpExitsZero: every command, and the program itself, answers --help
// (or -h) with the usage on stdout and success, touching no database.
func TestHelpExitsZero(t *testing.T) {
	noEnv := func(string) string { return "" }
	for _, args := range [][]string{{"--help"}, {"help"}, {"serve", "--help"}, {"token", "issue", "--help"},
		{"import", "receipts", "-h"}, {"demo", "--help"}, {"export", "trail", "--help"}, {"audit", "verify", "--help"},
		{"bench", "--help"}, {"subsidy", "run", "--help"}, {"migrate", "--help"}, {"backup", "--help"}, {"restore", "-h"}} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, noEnv, &out, &errOut); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(out.String(), "usage: renofund") {
			t.Errorf("%v printed %q", args, out.String())
		}
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"migrate"}, func(k string) string {
		return map[string]string{"RENOFUND_APPROVAL_ABOVE": "lots", "RENOFUND_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "x.db")}[k]
	}, &out, &out)
	var usage usageError
	if !errors.As(err, &usage) || !strings.Contains(err.Error(), "RENOFUND_APPROVAL_ABOVE") {
		t.Errorf("a bad approval threshold: %v", err)
	}
	for _, v := range []string{"lots", "0", "-1", "2147483648"} {
		c := loadConfig(func(k string) string { return map[string]string{"RENOFUND_ATTACHMENT_MAX_BYTES": v}[k] })
		if !strings.Contains(c.Problem, "RENOFUND_ATTACHMENT_MAX_BYTES") {
			t.Errorf("attachment limit %q accepted: %+v", v, c)
		}
	}
	if c := loadConfig(func(k string) string { return map[string]string{"RENOFUND_ATTACHMENT_MAX_BYTES": "2048"}[k] }); c.Problem != "" ||
		c.AttachmentMaxBytes != 2048 {
		t.Errorf("attachment limit 2048: %+v", c)
	}
	if c := loadConfig(noEnv); c.AttachmentMaxBytes != 10<<20 {
		t.Errorf("default attachment limit: %d", c.AttachmentMaxBytes)
	}
}

// TestDemoOnlyIntoAnEmptyDatabase: after the README's walkthrough has
// registered its district the demo refuses clearly (internal/demo loads it
// into an empty database, twice).
func TestDemoOnlyIntoAnEmptyDatabase(t *testing.T) {
	dir := t.TempDir()
	env := func(file string) func(string) string {
		return func(k string) string {
			return map[string]string{"RENOFUND_DATABASE_URL": "sqlite:" + filepath.Join(dir, file)}[k]
		}
	}
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"token", "issue", "--role", "finance", "--name", "bureau"}, env("walk.db"), &out, &out); err != nil {
		t.Fatal(err)
	}
	db, err := openDB(ctx, loadConfig(env("walk.db")))
	if err != nil {
		t.Fatal(err)
	}
	err = db.G.Exec(`INSERT INTO districts (code, name, created_at) VALUES ('HZ', '海州区', '2026-03-01T00:00:00Z')`).Error
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"demo"}, env("walk.db"), &out, &out); !errors.Is(err, demo.ErrNotEmpty) {
		t.Errorf("the demo on a database with other data: %v, want not_empty", err)
	}
}

// TestExportVerify: export verify accepts a directory as export trail wrote
// it and refuses it once a file is altered.
func TestExportVerify(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	env := func(k string) string {
		return map[string]string{"RENOFUND_DATABASE_URL": "sqlite:" + filepath.Join(dir, "x.db")}[k]
	}
	oneReceipt(t, env)
	var buf bytes.Buffer
	if err := run(context.Background(), []string{"export", "trail", "--out", out}, env, &buf, &buf); err != nil {
		t.Fatalf("export trail: %v: %s", err, buf.String())
	}
	buf.Reset()
	if err := run(context.Background(), []string{"export", "verify", out}, env, &buf, &buf); err != nil || !strings.HasPrefix(buf.String(), "ok") {
		t.Fatalf("export verify: %v %q", err, buf.String())
	}
	if err := os.WriteFile(filepath.Join(out, "trail.jsonl"), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"export", "verify", out}, env, &buf, &buf); err == nil || !strings.Contains(err.Error(), "trail.jsonl") {
		t.Errorf("export verify of an altered directory: %v", err)
	}
}

// TestAuditVerifyModes: audit verify runs since the newest checkpoint (in
// full while there is none), --full always in full, and refuses what it
// does not know.
func TestAuditVerifyModes(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "v.db")
	env := func(k string) string { return map[string]string{"RENOFUND_DATABASE_URL": url}[k] }
	ctx := context.Background()
	oneReceipt(t, env)
	for _, c := range []struct {
		args []string
		want string
	}{{[]string{"audit", "verify"}, `"mode": "full"`}, {[]string{"audit", "verify", "--full"}, `"mode": "full"`}} {
		var out bytes.Buffer
		if err := run(ctx, c.args, env, &out, &out); err != nil || !strings.Contains(out.String(), c.want) ||
			!strings.Contains(out.String(), `"ok": true`) {
			t.Errorf("%v: %v %s", c.args, err, out.String())
		}
	}
	db, err := openDB(ctx, loadConfig(env))
	if err != nil {
		t.Fatal(err)
	}
	_, err = proof.New(db).Checkpoint(ctx)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"audit", "verify"}, env, &out, &out); err != nil || !strings.Contains(out.String(), `"mode": "since_checkpoint"`) ||
		!strings.Contains(out.String(), `"since": {`) {
		t.Errorf("since the checkpoint: %v %s", err, out.String())
	}
	var usage usageError
	if err := run(ctx, []string{"audit", "verify", "--fast"}, env, &out, &out); !errors.As(err, &usage) {
		t.Errorf("--fast: %v", err)
	}
	if err := run(ctx, []string{"audit", "verify", "full"}, env, &out, &out); !errors.As(err, &usage) {
		t.Errorf("a stray argument: %v", err)
	}
}

// oneReceipt makes the database env names with a community, a city fund
// and one receipt into it: books the auditor's commands accept.
func oneReceipt(t *testing.T, env func(string) string) {
	t.Helper()
	db, err := openDB(context.Background(), loadConfig(env))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, ctx := apptest.New(t, db)
	must := apptest.Must(t)
	apptest.Community(t, svc, ctx, "HZ-001")
	must(svc.Registry.CreateFund(ctx, funding.Fund{Code: "CG", Kind: "central_grant", Name: "中央补助资金", Holder: "city",
		FiscalYear: 2026, EligibleCategories: funding.Categories}))
	must(svc.Movements.Receive(ctx, movement.Receipt{Fund: "CG", Amount: 1_000_00, ReceivedOn: "2026-03-01",
		Payer: movement.Party{Name: "江苏省财政厅"}}))
}
