package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"

	"renofund/internal/store"
)

// openapiCmd prints the OpenAPI document the server serves at
// /openapi.json, made from the same route table, so that CI can lint it and
// a client can be generated without a running server. The configured
// database is not touched: the services are built on a scratch database
// that is removed afterwards (building them reads nothing).
func openapiCmd(ctx context.Context, cfg config, stdout io.Writer) error {
	dir, err := os.MkdirTemp("", "renofund-openapi-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "scratch.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	a := wire(db, cfg, nil)
	defer a.Close()
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(a.API(nil, 0).OpenAPI())
}
