package demo_test

import (
	"context"
	"slices"
	"testing"

	"renofund/funding/disclosure"
	"renofund/internal/app"
	"renofund/internal/demo"
)

// checkPublished: the demo published one community in 63, the first among
// them, and each published page can be assembled, with the money its
// community received.
func checkPublished(t *testing.T, svc *app.Services, sum *demo.Summary) {
	t.Helper()
	ls, err := svc.Disclosure.Published(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	first := slices.ContainsFunc(ls, func(l disclosure.Listed) bool { return l.Code == "HZ-001" })
	if want := (sum.Projects + 62) / 63; sum.Published != want || len(ls) != want || !first {
		t.Fatalf("published %d (%d listed: %+v), want %d", sum.Published, len(ls), ls, want)
	}
	for _, l := range ls {
		d, err := svc.Disclosure.Facts(context.Background(), l.Code)
		if err != nil || d.SourceTotal.Received <= 0 || len(d.Works) != 3 || len(d.Contracts) != 1 {
			t.Errorf("the page of %s: %+v, %v", l.Code, d, err)
		}
	}
}
