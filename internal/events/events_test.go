package events_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"renofund/internal/access"
	"renofund/internal/events"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

var (
	finance = access.Actor{TokenID: "t1", Name: "bureau", Role: access.Finance}
	hz      = access.Actor{TokenID: "t2", Name: "hz-office", Role: access.District, District: "HZ"}
)

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

// write adds evs through a new writer and closes it, which flushes them.
func write(t *testing.T, db *store.DB, evs ...events.Event) *events.Writer {
	t.Helper()
	w := events.NewWriter(db, nil)
	for _, e := range evs {
		w.Add(e)
	}
	w.Close()
	return w
}

func list(t *testing.T, w *events.Writer, f events.Filter) []events.Stored {
	t.Helper()
	got, err := w.List(context.Background(), f)
	if err != nil {
		t.Fatalf("List(%+v): %v", f, err)
	}
	return got
}

func TestCloseFlushes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		at := time.Date(2026, 5, 1, 9, 30, 0, 123456000, time.FixedZone("CST", 8*3600))
		in := []events.Event{
			{At: at, Actor: finance, Authed: true, Method: "POST", Route: "/v1/funds", Path: "/v1/funds", Status: 201, RequestID: "r1"},
			{At: at.Add(time.Second), Actor: hz, Authed: true, Method: "GET", Route: "/v1/projects/:code", Path: "/v1/projects/HZ-001", Status: 200, RequestID: "r2"},
			{At: at.Add(2 * time.Second), Method: "GET", Route: "/v1/districts", Path: "/v1/districts", Status: 401, RequestID: "r3"},
		}
		w := write(t, db, in...)
		got := list(t, w, events.Filter{Limit: 100})
		if len(got) != len(in) {
			t.Fatalf("List after Close = %d events, want %d", len(got), len(in))
		}
		want := []struct {
			at, name, role, district string
		}{
			{"2026-05-01T01:30:00.123456Z", "bureau", "finance", "<null>"},
			{"2026-05-01T01:30:01.123456Z", "hz-office", "district", "HZ"},
			{"2026-05-01T01:30:02.123456Z", "<null>", "<null>", "<null>"},
		}
		for i, g := range got {
			e := in[i]
			if g.ID == "" || g.Method != e.Method || g.Route != e.Route || g.Path != e.Path || g.Status != e.Status ||
				g.RequestID != e.RequestID {
				t.Errorf("event %d = %+v, want %+v", i, g, e)
			}
			if g.At != want[i].at || str(g.TokenName) != want[i].name || str(g.Role) != want[i].role ||
				str(g.District) != want[i].district {
				t.Errorf("event %d: at %s, token %s, role %s, district %s; want %+v",
					i, g.At, str(g.TokenName), str(g.Role), str(g.District), want[i])
			}
		}
	})
}

// TestUnauthenticated: an event whose token was not accepted stores no
// token, role or district, whatever its Actor holds.
func TestUnauthenticated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := write(t, db,
			events.Event{At: time.Now(), Actor: hz, Authed: false, Method: "GET", Route: "/v1/projects", Path: "/v1/projects", Status: 401, RequestID: "r1"},
			events.Event{At: time.Now(), Method: "POST", Route: "/v1/funds", Path: "/v1/funds", Status: 401, RequestID: "r2"},
		)
		got := list(t, w, events.Filter{Limit: 10})
		if len(got) != 2 {
			t.Fatalf("%d events, want 2", len(got))
		}
		for _, g := range got {
			if g.TokenName != nil || g.Role != nil || g.District != nil {
				t.Errorf("unauthenticated event %s: token %s role %s district %s, want all null",
					g.RequestID, str(g.TokenName), str(g.Role), str(g.District))
			}
		}
		var nulls int64
		if err := db.G.Raw("SELECT COUNT(*) FROM audit_events WHERE token_name IS NULL AND role IS NULL AND district IS NULL").
			Scan(&nulls).Error; err != nil {
			t.Fatal(err)
		}
		if nulls != 2 {
			t.Errorf("%d rows with null token, role and district, want 2 (null, not empty text)", nulls)
		}
	})
}

func TestListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		at := time.Now()
		ev := func(a access.Actor, authed bool, method, route string, n int) events.Event {
			return events.Event{At: at, Actor: a, Authed: authed, Method: method, Route: route, Path: route,
				Status: 200, RequestID: fmt.Sprintf("r%02d", n)}
		}
		w := write(t, db,
			ev(finance, true, "GET", "/v1/funds", 0),
			ev(finance, true, "POST", "/v1/funds", 1),
			ev(hz, true, "GET", "/v1/funds", 2),
			ev(hz, true, "GET", "/v1/projects", 3),
			ev(hz, false, "GET", "/v1/funds", 4),
			ev(finance, true, "POST", "/v1/receipts", 5),
		)
		tests := []struct {
			name string
			f    events.Filter
			want []string
		}{
			{"all", events.Filter{Limit: 100}, []string{"r00", "r01", "r02", "r03", "r04", "r05"}},
			{"token name", events.Filter{TokenName: "bureau", Limit: 100}, []string{"r00", "r01", "r05"}},
			{"district token name", events.Filter{TokenName: "hz-office", Limit: 100}, []string{"r02", "r03"}},
			{"route", events.Filter{Route: "/v1/funds", Limit: 100}, []string{"r00", "r01", "r02", "r04"}},
			{"method", events.Filter{Method: "POST", Limit: 100}, []string{"r01", "r05"}},
			{"route and method", events.Filter{Route: "/v1/funds", Method: "GET", Limit: 100}, []string{"r00", "r02", "r04"}},
			{"all three", events.Filter{TokenName: "hz-office", Route: "/v1/funds", Method: "GET", Limit: 100}, []string{"r02"}},
			{"unknown token name", events.Filter{TokenName: "nobody", Limit: 100}, nil},
			{"method in another case", events.Filter{Method: "get", Limit: 100}, nil},
			{"route prefix is not a match", events.Filter{Route: "/v1", Limit: 100}, nil},
		}
		for _, tt := range tests {
			got := list(t, w, tt.f)
			if ids := requestIDs(got); fmt.Sprint(ids) != fmt.Sprint(tt.want) {
				t.Errorf("%s: List = %v, want %v", tt.name, ids, tt.want)
			}
		}
	})
}

func requestIDs(evs []events.Stored) []string {
	var ids []string
	for _, e := range evs {
		ids = append(ids, e.RequestID)
	}
	return ids
}

func TestListPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var in []events.Event
		for i := range 7 {
			method := "GET"
			if i%2 == 1 {
				method = "POST"
			}
			in = append(in, events.Event{At: time.Now(), Actor: finance, Authed: true, Method: method, Route: "/v1/funds",
				Path: "/v1/funds", Status: 200, RequestID: fmt.Sprintf("r%d", i)})
		}
		w := write(t, db, in...)
		all := list(t, w, events.Filter{Limit: 100})
		if got := requestIDs(all); fmt.Sprint(got) != "[r0 r1 r2 r3 r4 r5 r6]" {
			t.Fatalf("List = %v, want the events in the order added", got)
		}
		for i := 1; i < len(all); i++ {
			if all[i].ID <= all[i-1].ID {
				t.Errorf("ids not increasing: %q after %q", all[i].ID, all[i-1].ID)
			}
		}
		tests := []struct {
			name string
			f    events.Filter
			want string
		}{
			{"first page", events.Filter{Limit: 3}, "[r0 r1 r2]"},
			{"second page", events.Filter{After: all[2].ID, Limit: 3}, "[r3 r4 r5]"},
			{"last page", events.Filter{After: all[5].ID, Limit: 3}, "[r6]"},
			{"past the end", events.Filter{After: all[6].ID, Limit: 3}, "[]"},
			{"no limit is one", events.Filter{}, "[r0]"},
			{"negative limit is one", events.Filter{Limit: -5}, "[r0]"},
			{"filtered page", events.Filter{Method: "POST", After: all[1].ID, Limit: 1}, "[r3]"},
			{"filtered next page", events.Filter{Method: "POST", After: all[3].ID, Limit: 5}, "[r5]"},
		}
		for _, tt := range tests {
			if got := fmt.Sprint(requestIDs(list(t, w, tt.f))); got != tt.want {
				t.Errorf("%s: List = %s, want %s", tt.name, got, tt.want)
			}
		}
		// Walking page by page visits every event once.
		var walked []string
		for f := (events.Filter{Limit: 2}); ; {
			page := list(t, w, f)
			if len(page) == 0 {
				break
			}
			walked = append(walked, requestIDs(page)...)
			f.After = page[len(page)-1].ID
		}
		if got := fmt.Sprint(walked); got != "[r0 r1 r2 r3 r4 r5 r6]" {
			t.Errorf("walked %s, want every event once", got)
		}
	})
}

// TestManyEvents: more events than one batch are all written, in order.
func TestManyEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 1234
		w := events.NewWriter(db, nil)
		for i := range n {
			w.Add(events.Event{At: time.Now(), Actor: finance, Authed: true, Method: "GET", Route: "/v1/funds",
				Path: "/v1/funds", Status: 200, RequestID: fmt.Sprintf("r%05d", i)})
		}
		w.Close()
		got := list(t, w, events.Filter{Limit: 2 * n})
		if len(got) != n {
			t.Fatalf("%d events, want %d", len(got), n)
		}
		for i, g := range got {
			if want := fmt.Sprintf("r%05d", i); g.RequestID != want {
				t.Fatalf("event %d = %s, want %s", i, g.RequestID, want)
			}
		}
	})
}

// TestWriterFlushesWithoutClose: the writer writes on its own, off the
// request path, without waiting for Close.
func TestWriterFlushesWithoutClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := events.NewWriter(db, nil)
		defer w.Close()
		w.Add(events.Event{At: time.Now(), Actor: finance, Authed: true, Method: "GET", Route: "/v1/funds", Path: "/v1/funds",
			Status: 200, RequestID: "r1"})
		deadline := time.Now().Add(5 * time.Second)
		for len(list(t, w, events.Filter{Limit: 10})) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the event was not written within 5s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// TestAddAfterClose: events added after Close are dropped, without a panic;
// Close may be called again.
func TestAddAfterClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := write(t, db, events.Event{At: time.Now(), Actor: finance, Authed: true, Method: "GET", Route: "/v1/funds",
			Path: "/v1/funds", Status: 200, RequestID: "before"})
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("Add after Close panicked: %v", r)
				}
			}()
			for range 3 {
				w.Add(events.Event{At: time.Now(), Method: "GET", Route: "/v1/funds", Path: "/v1/funds", Status: 200, RequestID: "after"})
			}
			w.Close()
		}()
		if got := fmt.Sprint(requestIDs(list(t, w, events.Filter{Limit: 10}))); got != "[before]" {
			t.Errorf("List = %s, want [before]", got)
		}
	})
}
