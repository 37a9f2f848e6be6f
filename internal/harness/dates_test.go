package harness

import (
	"time"

	"renofund/internal/field"
	"renofund/internal/ledger"
)

// dated is one transfer's postings with the date they are booked on.
type dated struct {
	date  string
	posts []post
}

// arrives predicts the before_arrival rule for transfers posted together, in
// the model's own way: for every holding one of them takes money from, the
// balance summed over all postings booked up to each date, from the
// earliest of those debits on, never goes below zero. It returns the index
// of the first transfer whose debit is refused, or -1.
func (m *model) arrives(ts []dated) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	first := map[hkey]int{} // holding → index of its earliest new debit
	for i, t := range ts {
		for _, p := range t.posts {
			k := hkey{p.Fund, p.Holder}
			if p.Holder == ledger.External || p.Amount >= 0 {
				continue
			}
			if j, ok := first[k]; !ok || t.date < ts[j].date {
				first[k] = i
			}
		}
	}
	refused := -1
	for k, i := range first {
		byDate := map[string]int64{}
		for d, a := range m.dated[k] {
			byDate[d] += a
		}
		for _, t := range ts {
			for _, p := range t.posts {
				if (hkey{p.Fund, p.Holder}) == k {
					byDate[t.date] += p.Amount
				}
			}
		}
		dates := []string{ts[i].date}
		for d := range byDate {
			if d > ts[i].date {
				dates = append(dates, d)
			}
		}
		for _, end := range dates {
			var sum int64
			for d, a := range byDate {
				if d <= end {
					sum += a
				}
			}
			if sum < 0 && (refused < 0 || i < refused) {
				refused = i
			}
		}
	}
	return refused
}

// todayCST is the service's booking date now.
func todayCST() string { return field.Today() }

// bookedDate is the date a step's transfer is booked on: its date, or today
// for steps that book today.
func bookedDate(d string) string {
	if d == "" || d == today {
		return todayCST()
	}
	return d
}

// yesterday is the latest date the harness books on explicitly: booking
// after today is refused (future_date), which refusals_test covers.
func yesterday() time.Time {
	t, _ := time.Parse(time.DateOnly, todayCST())
	return t.AddDate(0, 0, -1)
}
