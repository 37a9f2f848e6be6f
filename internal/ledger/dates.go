package ledger

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"renofund/internal/errs"
	"renofund/internal/money"
)

// The booking-date rules every movement meets, whichever path posts it.
var (
	ErrFutureDate    = errs.New(errs.Rule, "future_date", "booked after today")
	ErrBeforeArrival = errs.New(errs.Rule, "before_arrival", "money leaves a holding dated before it arrived there")
	ErrPeriodClosed  = errs.New(errs.Conflict, "period_closed", "the period is closed")
)

// checkDate: the booked date is a date, not after today (China Standard
// Time), and in the transfer's fiscal year (set from it when left zero).
func checkDate(t *Transfer, today string) error {
	if _, err := time.Parse(time.DateOnly, t.BookedOn); err != nil {
		return fmt.Errorf("%w: booking date %q is not a date YYYY-MM-DD", errs.ErrInvalidRequest, t.BookedOn)
	}
	if t.BookedOn < strconv.Itoa(FirstYear) {
		return fmt.Errorf("%w: booking date %s is before %d, the books' first year", errs.ErrInvalidRequest, t.BookedOn, FirstYear)
	}
	if t.BookedOn > today {
		return fmt.Errorf("%w: %s is after today (%s); book a movement when it happens", ErrFutureDate, t.BookedOn, today)
	}
	year, _ := strconv.Atoi(t.BookedOn[:4])
	if t.FiscalYear == 0 {
		t.FiscalYear = year
	}
	if t.FiscalYear != year {
		return fmt.Errorf("ledger: transfer booked on %s in fiscal year %d", t.BookedOn, t.FiscalYear)
	}
	return nil
}

// itemErr names the item of a multi-transfer post that was refused.
func itemErr(ts []*Transfer, i int, err error) error {
	if len(ts) > 1 {
		return &ItemError{Index: i, Err: err}
	}
	return err
}

// checkArrival refuses money that leaves a holding dated before it arrived
// there: with the new postings included, every holding they take from must
// hold at least zero at the end of each booking date from the earliest of
// those debits on, not only today. The running check in post has already
// held the balance (today's) at or above zero.
//
// Balances in booked-date order are today's balance less what was booked
// after each date, so only postings dated after the earliest new debit are
// read, and none at all when nothing on the holding is dated later (the
// usual case: states carry each holding's latest booking date).
func (l *Ledger) checkArrival(tx *gorm.DB, ts []*Transfer, states map[key]*state) error {
	type debit struct {
		date string
		item int
	}
	first := map[key]debit{}   // the earliest new debit of each holding
	latest := map[key]string{} // the latest new posting of each holding
	for i, t := range ts {
		for _, p := range t.Postings {
			if p.Holder == External {
				continue
			}
			k := key{p.Fund, p.Holder}
			if p.Amount < 0 {
				if d, ok := first[k]; !ok || t.BookedOn < d.date {
					first[k] = debit{t.BookedOn, i}
				}
			}
			latest[k] = max(latest[k], t.BookedOn)
		}
	}
	keys := make([]key, 0, len(first))
	for k, d := range first {
		if max(states[k].lastBooked, latest[k]) > d.date {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].fund+"\x00"+keys[i].holder < keys[j].fund+"\x00"+keys[j].holder })
	// Of several holdings short, the refusal names the first item refused.
	refused, at := -1, error(nil)
	for _, k := range keys {
		from := first[k]
		byDate := map[string]money.Amount{}
		rows, err := tx.Raw(`SELECT t.booked_on, SUM(p.amount) FROM postings p JOIN transfers t ON t.id = p.transfer_id
			WHERE p.fund_code = ? AND p.holder = ? AND t.booked_on > ? GROUP BY t.booked_on`, k.fund, k.holder, from.date).Rows()
		if err != nil {
			return err
		}
		for rows.Next() {
			var d string
			var sum int64
			if err := rows.Scan(&d, &sum); err != nil {
				rows.Close()
				return err
			}
			byDate[d] += money.Amount(sum)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, t := range ts {
			for _, p := range t.Postings {
				if p.Fund == k.fund && p.Holder == k.holder && t.BookedOn > from.date {
					byDate[t.BookedOn] += p.Amount
				}
			}
		}
		dates := make([]string, 0, len(byDate))
		for d := range byDate {
			dates = append(dates, d)
		}
		sort.Sort(sort.Reverse(sort.StringSlice(dates)))
		// Walk back from today: the balance at the end of each date is
		// the balance after it less what it and later dates brought.
		bal := states[k].balance
		for _, d := range dates {
			bal -= byDate[d]
			if bal < 0 && (refused < 0 || from.item < refused) {
				refused, at = from.item, fmt.Errorf("%w: %s at %s would be %s short at the end of %s, before money booked on %s arrived",
					ErrBeforeArrival, k.fund, k.holder, -bal, dayBefore(d), d)
				break
			}
		}
	}
	if refused >= 0 {
		return itemErr(ts, refused, at)
	}
	return nil
}

func dayBefore(date string) string {
	t, _ := time.Parse(time.DateOnly, date)
	return t.AddDate(0, 0, -1).Format(time.DateOnly)
}

// monthBit is the bit of voucher_counters.closed_months for a booking date.
func monthBit(date string) int64 {
	m, _ := strconv.Atoi(date[5:7])
	return 1 << (m - 1)
}

// AllMonths is closed_months with every month of a year closed.
const AllMonths = 1<<12 - 1
