package apitest

import (
	"renofund/internal/access"
	"renofund/internal/httpapi"
)

// RouteInfo is one row of the route table as the tests see it.
type RouteInfo struct {
	Method  string
	Path    string
	Roles   []access.Role // nil: public
	Query   []string
	Body    any // a zero value of the JSON body's type; nil when the route takes no JSON body
	MaxBody int64
}

// RouteTable returns the server's route table without the HTML pages (the
// console and the public site test their own), so that the access matrix,
// the hostile-input corpus and the fuzz targets are generated from what the
// router really serves.
func RouteTable(s *httpapi.Server) []RouteInfo {
	var out []RouteInfo
	for _, r := range s.Routes() {
		if !r.Page {
			out = append(out, RouteInfo{Method: r.Method, Path: r.Path, Roles: r.Roles, Query: r.Query, Body: r.Body, MaxBody: r.MaxBody})
		}
	}
	return out
}
