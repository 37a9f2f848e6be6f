// Command renofund is the whole service in one binary: serve, migrate, token
// management, the demo city, exports and the benchmark. main only wires
// configuration, the database, the services and the HTTP server.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "renofund:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `usage: renofund <command> [flags]

commands:
  serve                      run the HTTP service (applies migrations first)
  migrate                    apply migrations and exit
  token issue --role ROLE [--district CODE] --name NAME [--ttl DURATION]
  token revoke ID_OR_NAME
  import receipts --fund CODE FILE [--partial] [--rejects OUT.csv]
  subsidy run --scheme CODE [--period P] | subsidy run --due
  export trail --out DIR [--district D] [--project P] [--fund F] [--fiscal-year YYYY | --from DATE --to DATE]
  export verify DIR          check an export directory's files and evidence documents against its manifest
  bench [--database-url URL] [--clients 32] [--duration 5s] [--batch 1000] [--only NAME] [--json]
  demo                       load the deterministic demo city into an empty database (again: nothing added)
  audit verify [--full]      recompute what was written since the newest checkpoint, or with --full everything:
                             every hash link, balance, voucher number, checkpoint, seal, document and kept total
                             (same as GET /v1/audit/verify[?full=true])
  openapi                    print the OpenAPI document (as served at /openapi.json)
  backup --out FILE          a consistent copy of the embedded database while the service runs, and the books' summary
                             (PostgreSQL: pg_dump or pg_basebackup, as the README shows)
  restore --from FILE [--force]
                             check a SQLite copy (integrity, schema, audit verify --full), then put it in place
  restore --check            check the configured database as restore checks a copy (after pg_restore, say)

audit verify, export trail, backup and restore --check only read: they never create or migrate a database; a
missing or empty one, or one whose schema is not this binary's, is an error, and so are books without a transfer
for audit verify and export trail.

environment:
  RENOFUND_DATABASE_URL   postgres://… or sqlite:PATH (default sqlite:./data/renofund.db); for failover
                          postgres://u@host1:5432,host2:5432/db?target_session_attrs=read-write
  RENOFUND_READ_DATABASE_URL a streaming standby (postgres://…) for reports, exports, traces, the bulletin
                          and verification; reads go to the primary when it lags (default: none)
  RENOFUND_READ_MAX_LAG   how far behind that standby may be for reads to go to it (default 5s)
  RENOFUND_ADDR           listen address (default 127.0.0.1:8080)
  RENOFUND_APPROVAL_ABOVE payments above this many yuan need a second person (default 1000000.00)
  RENOFUND_ATTACHMENT_MAX_BYTES the largest document accepted as evidence (default 10485760, 10 MiB)
  RENOFUND_RATE_LIMIT     requests per second per token (default unlimited)
  RENOFUND_PG_ISOLATION   serializable: run PostgreSQL transactions serializable
  RENOFUND_PUBLIC_URL     the address residents reach the public disclosure pages at, e.g. https://gaizao.example.gov.cn
                          (their links and QR codes; default: the host each request came by)
  RENOFUND_BUREAU_NAME    the name the public notices are issued in (default 市财政局)

Every command takes --help, which prints this text.
`

// run is the program; tests call it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command"}
	}
	if slices.ContainsFunc(args, func(a string) bool { return a == "-h" || a == "--help" || a == "-help" }) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg := loadConfig(getenv)
	if cfg.Problem != "" {
		return usageError{cfg.Problem}
	}
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, args[1:], stdout, stderr)
	case "migrate":
		db, err := openDB(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		fmt.Fprintln(stdout, "migrations applied")
		return nil
	case "token":
		return tokenCmd(ctx, cfg, args[1:], stdout)
	case "export":
		return exportCmd(ctx, cfg, args[1:], stdout)
	case "bench":
		return benchCmd(ctx, args[1:], stdout, stderr)
	case "import":
		return importCmd(ctx, cfg, args[1:], stdout, stderr)
	case "subsidy":
		return subsidyCmd(ctx, cfg, args[1:], stdout)
	case "demo":
		return demoCmd(ctx, cfg, stdout)
	case "verify":
		return verifyCmd(ctx, cfg, args[1:], stdout, stderr)
	case "openapi":
		return openapiCmd(ctx, cfg, stdout)
	case "backup":
		return backupCmd(ctx, cfg, args[1:], stdout, stderr)
	case "restore":
		return restoreCmd(ctx, cfg, args[1:], stdout, stderr)
	case "audit":
		if len(args) > 1 && args[1] == "verify" {
			return verifyCmd(ctx, cfg, args[2:], stdout, stderr)
		}
		return usageError{"audit: want verify"}
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}
