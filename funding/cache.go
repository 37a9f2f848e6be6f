package funding

import (
	"context"
	"sync"
)

// registry caches districts and funds for the life of the service. Their
// rows are never updated or deleted, so an entry can only be wrong if the
// row was never committed; store.Committed keeps those out. Projects are
// edited, so they are not cached here (see lookups).
type registry struct {
	funds     sync.Map // code → *Fund
	districts sync.Map // code → true
}

// lookups caches registry reads for the length of one bulk operation (a
// batch, an import, a plan), so that ten thousand items naming the same fund
// read it once. A project edited meanwhile is seen as it was when the
// request first read it, as a transaction of its own would have seen it.
type lookups struct {
	funds    map[string]*Fund
	projects map[string]*Project
	holders  map[string]Holder
	visible  map[string]bool // fund code → the actor (one district) may see it
}

type lookupsKey struct{}

// WithLookups returns a context whose registry reads are cached.
func WithLookups(ctx context.Context) context.Context {
	if ctx.Value(lookupsKey{}) != nil {
		return ctx
	}
	return context.WithValue(ctx, lookupsKey{}, &lookups{
		funds: map[string]*Fund{}, projects: map[string]*Project{}, holders: map[string]Holder{},
		visible: map[string]bool{},
	})
}

func cacheOf(ctx context.Context) *lookups {
	c, _ := ctx.Value(lookupsKey{}).(*lookups)
	return c
}
