// Package approvals is the console's section for the steps that need a
// second person (会计基础工作规范: whoever prepares does not approve):
// factor-method allocation plans drafted by one finance clerk and executed
// by another, property-service subsidy runs drafted and approved, and the
// month and year close with its reopening. Every read and every step goes
// through the JSON API as the signed-in user, so four eyes, roles and
// district scoping are the API's; the pages only show its answers and its
// refusals.
package approvals

import (
	"embed"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/console/kit"
	"renofund/internal/field"
	"renofund/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// section holds the kit the section's pages render and call the API with.
type section struct {
	k *kit.Kit
}

// Routes are the section's pages, in its menu's order: allocation plans,
// subsidy runs (with schemes and ratings), periods.
func Routes(k *kit.Kit) []web.Route {
	k.Pages(templates, "templates/*.html")
	s := &section{k: k}
	return slices.Concat(s.plans(), s.subsidy(), s.periods())
}

// pageLimit is the page size of the API lists the section reads whole
// (districts, projects, funds, schemes for a form's choices).
const pageLimit = 1000

// maxChoices bounds how many rows a form reads for its choices.
const maxChoices = 50_000

// all reads every item of an API list route, page by page.
func all[T any](k *kit.Kit, c *gin.Context, path string) ([]T, error) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var out []T
	after := ""
	for len(out) < maxChoices {
		q := fmt.Sprintf("%s%slimit=%d", path, sep, pageLimit)
		if after != "" {
			q += "&after=" + url.QueryEscape(after)
		}
		var page web.List[T]
		if err := k.Get(c, q, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == nil {
			break
		}
		after = *page.Next
	}
	return out, nil
}

// actor is the signed-in user of a page.
func actor(c *gin.Context) access.Actor {
	a, _ := web.Actor(c)
	return a
}

// may reports whether the signed-in user's role is among roles: a page
// offers a form only to those the API route behind it admits (the API
// still decides).
func may(c *gin.Context, roles []access.Role) bool {
	return slices.Contains(roles, actor(c).Role)
}

// samePerson reports whether the signed-in user is the person who prepared
// something (a record's "role:name" label): the page then says that a
// second person must approve it. The API refuses it in any case.
func samePerson(c *gin.Context, preparedBy string) bool {
	return preparedBy != "" && access.Person(preparedBy) == actor(c).Name
}

// keyHeader passes the form's "_key" to the API as its Idempotency-Key, so
// that a form sent twice acts once.
func keyHeader(c *gin.Context) []string {
	if key := c.PostForm("_key"); key != "" {
		return []string{"Idempotency-Key", key}
	}
	return nil
}

// step sends a bodiless POST to the API (a step on a record: execute,
// approve, confirm) with the form's key, decoding the answer into out. The
// body is empty rather than absent: the API's handlers read it.
func (s *section) step(c *gin.Context, path string, out any) error {
	_, err := s.k.Call(c, http.MethodPost, path, http.NoBody, "", out, keyHeader(c)...)
	return err
}

// when shows a stored timestamp (RFC 3339, UTC) in China Standard Time.
func when(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	return t.In(field.Zone).Format("2006-01-02 15:04:05")
}

// holders names the holders of money for a page: the city, districts by
// their Chinese names, projects by their codes.
type holders map[string]string

// districts reads the districts (public to every role), in code order,
// and their names.
func (s *section) districts(c *gin.Context) ([]funding.District, holders, error) {
	ds, err := all[funding.District](s.k, c, "/v1/districts")
	if err != nil {
		return nil, nil, err
	}
	h := holders{}
	for _, d := range ds {
		h[d.Code] = d.Name
	}
	return ds, h, nil
}

// name is a holder as a clerk reads it: 市级, 海州区（HZ）, 项目 HZ-001.
func (h holders) name(holder string) string {
	p, ok := funding.ParseHolder(holder)
	switch {
	case !ok:
		return holder
	case p.Project != "":
		return "项目 " + p.Project
	case p.District != "":
		if n := h[p.District]; n != "" {
			return n + "（" + p.District + "）"
		}
		return "区县 " + p.District
	}
	return "市级"
}

// link is the console page of a holder, when it has one.
func link(holder string) string {
	if p, ok := funding.ParseHolder(holder); ok && p.Project != "" {
		return "/console/projects/" + url.PathEscape(p.Project)
	}
	return ""
}
