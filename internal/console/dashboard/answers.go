package dashboard

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"renofund/internal/money"
)

// The page decodes the API's answers into types of its own, with only the
// fields it uses, because a report's amounts may be negative where a
// request's may not (money.Amount refuses a sign): a window's net receipts
// or payments are below zero when it reverses more than it books, and a
// budget line's remaining when a category is over budget.

// amount is an amount as the API answers it: a decimal string with two
// decimals, possibly negative.
type amount money.Amount

// UnmarshalJSON reads "-1234.56" as well as "1234.56".
func (a *amount) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(bytes.TrimSpace(b)))
	if err != nil {
		return fmt.Errorf("amount %s: not a string", b)
	}
	neg := strings.HasPrefix(s, "-")
	v, err := money.Parse(strings.TrimPrefix(s, "-"))
	if err != nil {
		return err
	}
	if neg {
		v = -v
	}
	*a = amount(v)
	return nil
}

// fundingLine is a line of the funding report: an area's money of one fund
// kind in the year.
type fundingLine struct {
	District     string `json:"district"` // a district's code, or "city"
	Kind         string `json:"kind"`
	Opening      amount `json:"opening"`
	Received     amount `json:"received"`
	AllocatedIn  amount `json:"allocated_in"`
	AllocatedOut amount `json:"allocated_out"`
	Spent        amount `json:"spent"`
	Available    amount `json:"available"`
}

// budgetLine is a line of the budget report: one project's budget and
// spending in one category.
type budgetLine struct {
	District string `json:"district"`
	Category string `json:"category"`
	Budget   amount `json:"budget"`
	Spent    amount `json:"spent"`
}

// spending is the money section of a monthly bulletin: the city's figures
// and each district's (a district reads its own).
type spending struct {
	City      figures `json:"city"`
	Districts []struct {
		District string `json:"district"`
		figures
	} `json:"districts"`
}

// figures are an area's figures in a bulletin's month.
type figures struct {
	AllocatedMonth amount `json:"allocated_month"`
	ReceivedMonth  amount `json:"received_month"`
	SpentMonth     amount `json:"spent_month"`
}
