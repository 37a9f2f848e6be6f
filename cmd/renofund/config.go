package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"renofund/funding/evidence"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/money"
	"renofund/internal/public"
	"renofund/internal/store"
)

// config is read once from the environment and passed down; nothing else
// reads the environment.
type config struct {
	DatabaseURL string
	// ReadURL is a streaming standby of the primary that serves the reads
	// which may lag (RENOFUND_READ_DATABASE_URL), by at most ReadMaxLag
	// (RENOFUND_READ_MAX_LAG, default 5s); empty: every read on the primary.
	ReadURL      string
	ReadMaxLag   time.Duration
	Addr         string
	RateLimit    float64 // requests per second per token; 0 = unlimited
	Serializable bool
	// ApprovalAbove is the payment above which a second person approves
	// (RENOFUND_APPROVAL_ABOVE, in yuan; default ¥1,000,000).
	ApprovalAbove money.Amount
	// AttachmentMaxBytes is the largest evidence document accepted
	// (RENOFUND_ATTACHMENT_MAX_BYTES; default 10 MiB).
	AttachmentMaxBytes int64
	// PublicURL is where residents reach the public disclosure pages
	// (RENOFUND_PUBLIC_URL, http or https, no path): their addresses and QR
	// codes are built on it; empty, on the request's own host.
	PublicURL string
	// Bureau is the name the public notices are issued in (RENOFUND_BUREAU_NAME).
	Bureau string
	// Problem is what was wrong with the environment, if anything.
	Problem string
}

func loadConfig(getenv func(string) string) config {
	c := config{DatabaseURL: getenv("RENOFUND_DATABASE_URL"), Addr: getenv("RENOFUND_ADDR")}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if v, err := strconv.ParseFloat(getenv("RENOFUND_RATE_LIMIT"), 64); err == nil && v > 0 {
		c.RateLimit = v
	}
	c.Serializable = getenv("RENOFUND_PG_ISOLATION") == "serializable"
	c.ApprovalAbove = movement.DefaultApprovalAbove
	if v := getenv("RENOFUND_APPROVAL_ABOVE"); v != "" {
		a, err := money.Parse(v)
		if err != nil || a <= 0 {
			c.Problem = fmt.Sprintf("RENOFUND_APPROVAL_ABOVE must be an amount in yuan above zero such as 1000000.00, got %q", v)
		}
		c.ApprovalAbove = a
	}
	c.AttachmentMaxBytes = evidence.DefaultMaxBytes
	if v := getenv("RENOFUND_ATTACHMENT_MAX_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 || n > 1<<30 {
			c.Problem = fmt.Sprintf("RENOFUND_ATTACHMENT_MAX_BYTES must be a number of bytes from 1 to 1073741824, got %q", v)
		}
		c.AttachmentMaxBytes = n
	}
	if v := getenv("RENOFUND_PUBLIC_URL"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			c.Problem = fmt.Sprintf("RENOFUND_PUBLIC_URL must be an http or https address without a path, such as https://gaizao.example.gov.cn, got %q", v)
		}
		c.PublicURL = strings.TrimRight(v, "/")
	}
	c.Bureau = strings.TrimSpace(getenv("RENOFUND_BUREAU_NAME"))
	c.ReadURL, c.ReadMaxLag = getenv("RENOFUND_READ_DATABASE_URL"), defaultReadMaxLag
	if v := getenv("RENOFUND_READ_MAX_LAG"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			c.Problem = fmt.Sprintf("RENOFUND_READ_MAX_LAG must be a duration of at least 1s, such as 5s, got %q", v)
		}
		c.ReadMaxLag = d
	}
	return c
}

// defaultReadMaxLag is how far behind the read replica may be by default.
const defaultReadMaxLag = 5 * time.Second

// wire builds the services on db as configured.
func wire(db *store.DB, cfg config, log *slog.Logger) *app.Services {
	a := app.New(db, log)
	a.Public = public.Config{BaseURL: cfg.PublicURL, Bureau: cfg.Bureau}
	a.Movements.ApprovalAbove = cfg.ApprovalAbove
	if cfg.AttachmentMaxBytes > 0 {
		a.Movements.Evidence.MaxBytes = cfg.AttachmentMaxBytes
	}
	return a
}

// openDB opens the configured database and applies pending migrations.
func openDB(ctx context.Context, cfg config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	db.Serializable = cfg.Serializable
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// asCLI acts as the operator at the terminal, with the given role; records
// name the actor "cli".
func asCLI(ctx context.Context, role access.Role) context.Context {
	return access.With(ctx, access.Actor{TokenID: "cli", Name: "cli", Role: role})
}
