package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"renofund/internal/access"
	"renofund/internal/auth"
	"renofund/internal/errs"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestIssueNameLimitCountsCharacters: a token's name is at most 100
// characters, counted as every other name in the service is (field.Text),
// not in bytes: a Chinese name of 34 characters is 102 bytes of UTF-8.
// (Found by this test: the limit counted bytes.)
func TestIssueNameLimitCountsCharacters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tk := auth.New(db)
		for _, n := range []int{34, 100} {
			name := strings.Repeat("海", n)
			if _, _, err := tk.Issue(context.Background(), access.Finance, "", name, 0); err != nil {
				t.Errorf("Issue with a name of %d characters (%d bytes): %v, want it accepted", n, len(name), err)
			}
		}
		if _, _, err := tk.Issue(context.Background(), access.Finance, "", strings.Repeat("海", 101), 0); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("a name of 101 characters: %v, want invalid_request", err)
		}
		if _, _, err := tk.Issue(context.Background(), access.Finance, "", "clerk", -time.Hour); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("a negative lifetime: %v, want invalid_request", err)
		}
		if _, _, err := tk.Issue(context.Background(), access.Role("root"), "", "clerk", 0); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("an unknown role: %v, want invalid_request", err)
		}
	})
}
