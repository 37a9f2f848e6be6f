package httpapi

import (
	"renofund/internal/access"
	"renofund/internal/strictjson"
)

// This file is compiled only with the tests: it shows the external test
// package (httpapi_test) the route table and the body decoder, so that the
// access matrix, the hostile-input corpus and the fuzz targets are generated
// from what the router really serves.

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
// console and the public site test their own).
func (s *Server) RouteTable() []RouteInfo {
	var out []RouteInfo
	for _, r := range s.Routes() {
		if !r.Page {
			out = append(out, RouteInfo{Method: r.Method, Path: r.Path, Roles: r.Roles, Query: r.Query, Body: r.Body, MaxBody: r.MaxBody})
		}
	}
	return out
}

// DecodeBytes runs the strict JSON decoder that every JSON route uses.
func DecodeBytes(body []byte, dst any) error { return strictjson.Decode(body, dst) }

// CheckDuplicateKeys runs the duplicate-key and nesting-depth check alone.
func CheckDuplicateKeys(body []byte) error { return strictjson.CheckKeys(body) }
