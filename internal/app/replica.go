package app

import (
	"strings"

	"renofund/internal/web"
)

// replicaPaths are the GET routes a read replica may serve: the read-only
// views of the books (reports, the trail export, traces, the monthly
// bulletin, verification, the auditor's exceptions, a project's funding)
// that may lag the primary by the bound configured (RENOFUND_READ_MAX_LAG).
// Lists and objects a clerk works on read the primary.
var replicaPaths = []string{"/v1/reports", "/v1/exports", "/v1/trace", "/v1/bulletins", "/v1/audit/verify",
	"/v1/audit/exceptions", "/v1/projects/:code/funding"}

// readsReplica reports whether the replica may serve r's reads: r's path is
// one of replicaPaths or below one.
func readsReplica(r web.Route) bool {
	for _, p := range replicaPaths {
		if r.Path == p || strings.HasPrefix(r.Path, p+"/") {
			return true
		}
	}
	return false
}
