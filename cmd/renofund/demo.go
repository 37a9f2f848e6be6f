package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"renofund/internal/demo"
)

func demoCmd(ctx context.Context, cfg config, stdout io.Writer) error {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	a := wire(db, cfg, nil)
	defer a.Close()
	sum, err := demo.Load(ctx, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (%.1fs)\n", sum.Message, time.Since(start).Seconds())
	return nil
}
