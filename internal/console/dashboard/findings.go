package dashboard

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"sort"

	"renofund/funding/report"
)

// finding is what the page needs of one of the auditor's findings.
type finding struct {
	Code, Status string
}

// readFindings reads the exception list in its CSV form. The page counts
// every finding, and the JSON list runs every check again for each page of
// at most 1,000; the CSV answers them all from one run.
func readFindings(body []byte) ([]finding, error) {
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("exception list: %w", err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("exception list: no header")
	}
	code, status := slices.Index(recs[0], "code"), slices.Index(recs[0], "status")
	if code < 0 || status < 0 {
		return nil, fmt.Errorf("exception list: no code or status column in %v", recs[0])
	}
	out := make([]finding, 0, len(recs)-1)
	for _, r := range recs[1:] {
		out = append(out, finding{Code: r[code], Status: r[status]})
	}
	return out, nil
}

// findingNames are the findings' kinds in a clerk's words.
var findingNames = map[string]string{
	report.ExRetention:        "滞留（未按期下拨）",
	report.ExDiversion:        "挪用或扩大开支范围",
	report.ExVoteMissing:      "未经业主表决动用",
	report.ExDirectRouted:     "直达资金未直达",
	report.ExIdleMoney:        "资金闲置",
	report.ExExpiring:         "资金到期未用",
	report.ExOverBudget:       "超预算支出",
	report.ExDuplicate:        "疑似重复支付",
	report.ExCentral:          "中央资金用于2000年后小区",
	report.ExLateEntry:        "记账不及时",
	report.ExOverContract:     "超合同或结算付款",
	report.ExFinalOverdue:     "竣工决算逾期",
	report.ExBeforeAcceptance: "验收前超进度付款",
	report.ExEarlyRetention:   "质保金提前支付",
	report.ExBankUnbooked:     "银行已付单位未记账",
	report.ExNotInBank:        "单位已付银行未付",
}

// findingName is a kind's name, or its code for a kind this page does not
// know yet.
func findingName(code string) string {
	if n, ok := findingNames[code]; ok {
		return n
	}
	return code
}

// findingRow counts the findings of one kind that are not closed: open
// (nobody looked at them yet) and in review (acknowledged or explained).
type findingRow struct {
	Code, Name     string
	Open, InReview int
}

// Total is the kind's findings that are not closed.
func (r findingRow) Total() int { return r.Open + r.InReview }

// countFindings counts the findings not closed by kind, most first (then
// in the order of report.Codes).
func countFindings(fs []finding) []findingRow {
	at := map[string]*findingRow{}
	for _, f := range fs {
		if f.Status == report.StatusClosed {
			continue
		}
		r := at[f.Code]
		if r == nil {
			r = &findingRow{Code: f.Code, Name: findingName(f.Code)}
			at[f.Code] = r
		}
		if f.Status == report.StatusOpen {
			r.Open++
		} else {
			r.InReview++
		}
	}
	out := make([]findingRow, 0, len(at))
	for _, r := range at {
		out = append(out, *r)
	}
	order := func(code string) int {
		if i := slices.Index(report.Codes, code); i >= 0 {
			return i
		}
		return len(report.Codes)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total() != out[j].Total() {
			return out[i].Total() > out[j].Total()
		}
		if order(out[i].Code) != order(out[j].Code) {
			return order(out[i].Code) < order(out[j].Code)
		}
		return out[i].Code < out[j].Code
	})
	return out
}
