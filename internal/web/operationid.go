package web

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// actions are the path words that name what a POST does to the thing before
// them (/payment-requests/:id/approve) rather than a thing it creates, and
// the words a path may lead with as a verb (/trace/funds/:code). An
// operation id then begins with the word itself: approvePaymentRequest.
var actions = map[string]bool{
	"approve": true, "reject": true, "execute": true, "revoke": true, "settle": true, "cancel": true,
	"close": true, "reopen": true, "confirm": true, "sign": true, "review": true, "publish": true,
	"import": true, "verify": true, "trace": true,
}

// version is an API version segment, left out of operation ids and tags.
var version = regexp.MustCompile(`^v[0-9]+$`)

// pathWord is one segment of a route's path: a word, or a parameter.
type pathWord struct {
	word  string
	param bool
}

// pathWords splits a gin path into its segments, without the version.
func pathWords(p string) []pathWord {
	var out []pathWord
	for i, seg := range strings.Split(strings.ReplaceAll(p, `\:`, ":"), "/") {
		switch {
		case seg == "" || (i == 1 && version.MatchString(seg)):
		case strings.HasPrefix(seg, ":") || strings.HasPrefix(seg, "*"):
			out = append(out, pathWord{word: seg[1:], param: true})
		default:
			out = append(out, pathWord{word: seg})
		}
	}
	return out
}

// operationID derives a route's OpenAPI operationId from its method and
// path, so that a generated client's methods read like the API:
//
//	GET    /v1/projects                      listProjects (paged: it takes ?after=)
//	GET    /v1/projects/:code                getProject
//	GET    /v1/projects/:code/funding        getProjectFunding
//	POST   /v1/funds/:code/receipts          createFundReceipt
//	POST   /v1/funds/:code/receipts\:import  importFundReceipts
//	PUT    /v1/projects/:code                updateProject
//	PUT    /v1/projects/:code/funding-plan   setProjectFundingPlan
//	DELETE /v1/reconciliations/:id/matches/:match  deleteReconciliationMatch
//	POST   /v1/payment-requests/:id/approve  approvePaymentRequest (an action word)
//	GET    /v1/reports/funding               getFundingReport (a plural before a word names its kind)
//
// A collection word is singular when a parameter follows it or when it
// names what a POST creates.
func operationID(r Route) string {
	words := pathWords(r.Path)
	verb := ""
	// A custom method after a colon (receipts:import) is the verb.
	if n := len(words); n > 0 && !words[n-1].param {
		if noun, action, ok := strings.Cut(words[n-1].word, ":"); ok {
			words[n-1].word, verb = noun, action
		}
	}
	if n := len(words); verb == "" && n > 1 && !words[n-1].param && actions[words[n-1].word] {
		verb, words = words[n-1].word, words[:n-1]
	}
	if verb == "" && len(words) > 1 && actions[words[0].word] {
		verb, words = words[0].word, words[1:]
	}
	last := len(words) - 1
	if verb == "" {
		switch r.Method {
		case http.MethodGet:
			verb = "get"
			if slices.Contains(r.Query, "after") {
				verb = "list"
			}
		case http.MethodPost:
			verb = "create"
		case http.MethodPut, http.MethodPatch:
			verb = "update"
			if last >= 0 && !words[last].param {
				verb = "set" // a sub-resource set as a whole
			}
		default:
			verb = strings.ToLower(r.Method)
		}
	}
	// /reports/funding is the funding report: a plural word before another
	// word names the kind of what follows.
	if len(words) > 1 && !words[0].param && !words[1].param && plural(words[0].word) {
		words = append(slices.Clone(words[1:]), pathWord{word: singular(words[0].word)})
		last = len(words) - 1
	}
	var b strings.Builder
	b.WriteString(verb)
	for i, w := range words {
		if w.param {
			continue
		}
		word := w.word
		if (i < last && words[i+1].param) || (i == last && verb == "create") {
			word = singular(word)
		}
		b.WriteString(camel(word))
	}
	return b.String()
}

// plural reports whether an English word reads as a plural.
func plural(w string) bool {
	return strings.HasSuffix(w, "s") && singular(w) != w
}

// singular is an English plural's singular, for the words of paths:
// matches → match, activities → activity, projects → project; status
// and analysis stay.
func singular(w string) string {
	switch {
	case strings.HasSuffix(w, "ies"):
		return strings.TrimSuffix(w, "ies") + "y"
	case strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "xes"):
		return strings.TrimSuffix(w, "es")
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	}
	return strings.TrimSuffix(w, "s")
}

// camel capitalises each part of a path word: funding-plan → FundingPlan,
// openapi.json → OpenapiJson.
func camel(w string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(w, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// tagOf groups an operation by the first word of its path (/v1/projects/…:
// projects); the service's own routes outside the versioned API are
// "service".
func tagOf(p string) string {
	if !version.MatchString(strings.Split(p, "/")[1]) {
		return "service"
	}
	words := pathWords(p)
	if len(words) == 0 {
		return "service"
	}
	noun, _, _ := strings.Cut(words[0].word, ":")
	return noun
}
