// Package access says who is acting: the role and, for a district token, the
// one district it is bound to. Domain packages use it to enforce scoping on
// the objects they load, so the same rules hold over HTTP and on the command line.
package access

import (
	"context"
	"fmt"
	"strings"

	"renofund/internal/errs"
)

// Role is one of the four roles in API.md.
type Role string

// The roles.
const (
	Admin    Role = "admin"
	Finance  Role = "finance"
	District Role = "district"
	Auditor  Role = "auditor"
)

// Roles lists every role, for validation and for the access matrix.
var Roles = []Role{Admin, Finance, District, Auditor}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: unknown role %q", errs.ErrInvalidRequest, s)
}

// Actor is the authenticated caller.
type Actor struct {
	TokenID  string
	Name     string
	Role     Role
	District string // set only for the district role
}

// System is the actor for work the service does itself (migrations, the
// scheduler, the demo loader); it has the finance bureau's reach.
var System = Actor{TokenID: "system", Name: "system", Role: Finance}

// Sees reports whether the actor may read data of the given district
// ("" means city-level data).
func (a Actor) Sees(district string) bool {
	return a.Role != District || (district != "" && district == a.District)
}

// Writes reports whether the actor may change money or records of the given
// district ("" means city level, which only the finance bureau may touch).
func (a Actor) Writes(district string) bool {
	switch a.Role {
	case Finance:
		return true
	case District:
		return district != "" && district == a.District
	}
	return false
}

// Area narrows a district filter to what the actor may read: a district
// actor gets its own district whether it named it or none, and is refused
// another (districts are public, so naming one reveals nothing); other
// roles get the filter as asked ("" for all).
func (a Actor) Area(district string) (string, error) {
	if a.Role != District {
		return district, nil
	}
	if district != "" && district != a.District {
		return "", fmt.Errorf("%w: district %s belongs to someone else", errs.ErrForbidden, district)
	}
	return a.District, nil
}

// Label names the actor in records ("finance:bureau-clerk").
func (a Actor) Label() string { return string(a.Role) + ":" + a.Name }

type ctxKey struct{}

// With returns a context carrying the actor.
func With(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// From returns the actor in ctx, or System when none was set (internal jobs).
func From(ctx context.Context) Actor {
	if a, ok := ctx.Value(ctxKey{}).(Actor); ok {
		return a
	}
	return System
}

// ErrSamePerson refuses an approval by the person who prepared what is being
// approved (会计基础工作规范: preparer, reviewer and approver differ).
var ErrSamePerson = errs.New(errs.Forbidden, "same_person", "the approver is the preparer")

// Person is the person a recorded actor label ("finance:wang") names: the
// part after the role. A person holding tokens of two roles is one person.
func Person(label string) string {
	if i := strings.IndexByte(label, ':'); i >= 0 {
		return label[i+1:]
	}
	return label
}

// Approves checks that the actor is not the person who prepared what it is
// about to approve; preparedBy is the preparer's recorded label.
func (a Actor) Approves(preparedBy, what string) error {
	if Person(preparedBy) == a.Name {
		return fmt.Errorf("%w: %s was prepared by %s; a second person must approve it", ErrSamePerson, what, preparedBy)
	}
	return nil
}
