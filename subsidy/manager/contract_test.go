package manager

import (
	"errors"
	"fmt"
	"testing"

	"renofund/internal/creditcode"
	"renofund/internal/errs"
)

// code returns a valid unified social credit code numbered n.
func code(n int) string { return creditcode.Complete(fmt.Sprintf("9132070%010d", n)) }

// managerN is company n's contract from from to to.
func managerN(n int, from, to string) Contract {
	return Contract{Name: fmt.Sprintf("物业公司 %d", n), CreditCode: code(n), BankAccount: fmt.Sprintf("6222%012d", n),
		From: from, To: to}
}

func TestContractsDerivedFromVersions(t *testing.T) {
	// Versions recorded before contracts existed are all open: each ends the
	// day before the next starts; a later version of the same start wins.
	got := contracts([]Contract{managerN(1, "2021-01-01", ""), managerN(2, "2021-03-10", ""),
		managerN(3, "2021-03-10", ""), managerN(4, "2021-06-01", "2021-12-31")})
	want := []struct{ cc, from, to string }{
		{code(1), "2021-01-01", "2021-03-09"}, {code(3), "2021-03-10", "2021-05-31"}, {code(4), "2021-06-01", "2021-12-31"},
	}
	if len(got) != len(want) {
		t.Fatalf("contracts = %+v, want %d", got, len(want))
	}
	for i, w := range want {
		if got[i].CreditCode != w.cc || got[i].From != w.from || got[i].To != w.to {
			t.Errorf("contract %d = %s %s–%s, want %s %s–%s", i, got[i].CreditCode, got[i].From, got[i].To, w.cc, w.from, w.to)
		}
	}
}

func TestContractChanges(t *testing.T) {
	open1 := []Contract{managerN(1, "2021-01-01", "")}
	ended1 := []Contract{managerN(1, "2021-01-01", "2021-06-30")}
	tests := []struct {
		name  string
		cs    []Contract
		m     Contract
		want  []string // "credit code from–to" of the versions to append
		error error
	}{
		{"first contract", nil, managerN(1, "", ""), []string{code(1) + " –"}, nil},
		{"a change of manager ends the open contract", open1, managerN(2, "2021-08-15", ""),
			[]string{code(1) + " 2021-01-01–2021-08-14", code(2) + " 2021-08-15–"}, nil},
		{"to ends the current contract", open1, managerN(1, "2021-01-01", "2021-06-30"),
			[]string{code(1) + " 2021-01-01–2021-06-30"}, nil},
		{"a contract after an ended one", ended1, managerN(2, "2021-07-01", ""),
			[]string{code(2) + " 2021-07-01–"}, nil},
		{"a contract in the gap before", ended1, managerN(2, "2020-01-01", "2020-12-31"),
			[]string{code(2) + " 2020-01-01–2020-12-31"}, nil},
		{"reopening an ended contract", ended1, managerN(1, "2021-01-01", ""),
			[]string{code(1) + " 2021-01-01–"}, nil},
		{"overlapping an ended contract", ended1, managerN(2, "2021-06-30", ""), nil, ErrContractOverlap},
		{"another company on the same start", open1, managerN(2, "2021-01-01", ""), nil, ErrContractOverlap},
		{"starting before the open contract", open1, managerN(2, "2020-06-01", ""), nil, ErrContractOverlap},
		{"reaching into the open contract", open1, managerN(2, "2020-06-01", "2021-01-01"), nil, ErrContractOverlap},
		{"to before from", open1, managerN(1, "2021-01-01", "2020-12-31"), nil, errs.ErrInvalidRequest},
		{"extending into the next contract", []Contract{managerN(1, "2021-01-01", "2021-06-30"),
			managerN(2, "2021-07-01", "")}, managerN(1, "2021-01-01", "2021-07-01"), nil, ErrContractOverlap},
	}
	for _, tt := range tests {
		rows, err := changes(tt.cs, tt.m)
		if tt.error != nil {
			if !errors.Is(err, tt.error) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.error)
			}
			continue
		}
		if err != nil || len(rows) != len(tt.want) {
			t.Errorf("%s: changes = %+v, %v; want %v", tt.name, rows, err, tt.want)
			continue
		}
		for i, w := range tt.want {
			if got := rows[i].CreditCode + " " + rows[i].From + "–" + rows[i].To; got != w {
				t.Errorf("%s: version %d = %s, want %s", tt.name, i, got, w)
			}
		}
	}
}

func TestServed(t *testing.T) {
	q3 := []Span{{"2021-07-01", "2021-07-31"}, {"2021-08-01", "2021-08-31"}, {"2021-09-01", "2021-09-30"}}
	cs := []Contract{managerN(1, "", "2021-08-14"), managerN(2, "2021-08-15", "2021-08-31"),
		managerN(1, "2021-09-10", "")}
	shares, covered := Served(cs, q3)
	if len(shares) != 2 || shares[0].Days != 45+21 || shares[1].Days != 17 || covered != 83 ||
		shares[0].Contract.From != "2021-09-10" {
		t.Errorf("Served = %+v, covered %d; want company 1 66 days (latest contract), company 2 17, 83 covered", shares, covered)
	}
	if n := (Span{"2024-02-01", "2024-02-29"}).Days(); n != 29 {
		t.Errorf("days of February 2024 = %d, want 29", n)
	}
}
