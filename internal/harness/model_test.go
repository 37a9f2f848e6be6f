package harness

import (
	"fmt"
	"strings"
	"sync"

	"renofund/internal/ledger"
)

// hkey names a holding: one fund's money at one holder.
type hkey struct{ Fund, Holder string }

// post is one posting as the model expects it.
type post struct {
	Fund, Holder string
	Amount       int64
}

func (p post) String() string { return fmt.Sprintf("%s@%s%+d", p.Fund, p.Holder, p.Amount) }

// rec is a transfer the model knows of: what it moved, and enough about it
// to predict what reversing it does.
type rec struct {
	ID         string
	Type       string // ledger.Type…
	Base       string // the original's type for a reversal
	From, To   string
	District   string
	Amount     int64
	Year       int
	Date       string // booked on
	Postings   []post
	ReversalOf string
	Reversed   bool
	Forced     bool // paid outside its funds' categories by the finance bureau
	Retention  bool // paid out of a works contract's quality retention (or the reversal of such a payment)
}

// planRec is a factor plan as the model knows it.
type planRec struct {
	ID     string
	Fund   string
	From   string
	Total  int64
	Date   string // the allocations' booking date; "" books them today
	Shares []share
	Status string // draft or executed
	// CreatedBy computed the plan; someone else must execute it.
	CreatedBy string
}

type share struct {
	To     string
	Amount int64
}

// runRec is a subsidy run as the model knows it.
type runRec struct {
	ID        string
	Scheme    string
	Period    string
	Status    string
	Total     int64            // paid on approval
	Lines     map[string]int64 // project → net of its lines (negative: clawback, recorded only)
	Paid      map[string]int64 // project → its positive lines, paid on approval
	Paying    int              // lines with a positive amount
	LineCount int              // lines (a project's share per company, a held share)
	CreatedBy string           // who drafted it (may not approve it)
}

// versioned is the current version of a versioned record and the figure
// the model needs from it: a rating's score (hundredths of a point) or a
// scheme's rate (fen per household and month).
type versioned struct {
	Version int
	Value   int64
}

// model is the expected state of the books, changed only by operations the
// service reported as done. Every field is guarded by mu.
type model struct {
	mu sync.Mutex

	bal      map[hkey]int64
	dated    map[hkey]map[string]int64 // per holding: postings summed by booking date
	holdings map[hkey]bool             // holdings that must exist (credited at least once)
	received map[string]int64          // per fund: receipts net of reversals
	spent    map[string]int64          // per fund: expenditures and subsidy payments net of reversals

	transfers, postings int64
	byYear              map[int]int64 // transfers per fiscal year (= voucher numbers used)
	recs                []*rec
	byID                map[string]*rec

	plans    []*planRec
	planByID map[string]*planRec
	runs     []*runRec
	runByID  map[string]*runRec
	drafts   map[string]string    // scheme/period → draft run id
	settled  map[string]int64     // scheme/period/project → what paid runs settled
	scores   map[string]versioned // project/period → current rating and its score
	rates    map[string]versioned // scheme → current version and its rate
	managers map[string]int       // project → latest manager version
	mgrFrom  map[string]string    // project → start of its latest contract
	ratings  int64                // rating rows
	mgrRows  int64                // property manager rows
	checkpts int64
	// retained is each project's quality retention outstanding: settled
	// contracts' retention less what was paid out of it, net of reversals.
	retained map[string]int64
}

func newModel() *model {
	return &model{
		bal: map[hkey]int64{}, dated: map[hkey]map[string]int64{}, holdings: map[hkey]bool{}, received: map[string]int64{}, spent: map[string]int64{},
		byYear: map[int]int64{}, byID: map[string]*rec{}, planByID: map[string]*planRec{}, runByID: map[string]*runRec{},
		drafts: map[string]string{}, settled: map[string]int64{}, scores: map[string]versioned{}, managers: map[string]int{},
		mgrFrom: map[string]string{}, rates: map[string]versioned{}, retained: map[string]int64{},
	}
}

// reserved is a project's quality retention outstanding.
func (m *model) reserved(project string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.retained[project]
}

// balance returns the expected balance of a holding.
func (m *model) balance(k hkey) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bal[k]
}

// balances copies the expected balances (for predictions over several steps).
func (m *model) balances() map[hkey]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[hkey]int64, len(m.bal))
	for k, v := range m.bal {
		out[k] = v
	}
	return out
}

// heldIn says whether fund has a holding in district (at the district or
// one of its projects): money has reached it there.
func (m *model) heldIn(fund, district string, wd *world) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.holdings {
		if k.Fund != fund {
			continue
		}
		if d, _, ok := wd.holderDistrict(k.Holder); ok && d == district {
			return true
		}
	}
	return false
}

// add records transfers the service posted.
func (m *model) add(rs ...*rec) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range rs {
		m.addLocked(r)
	}
}

func (m *model) addLocked(r *rec) {
	m.transfers++
	m.postings += int64(len(r.Postings))
	m.byYear[r.Year]++
	for _, p := range r.Postings {
		if p.Holder == ledger.External {
			continue
		}
		k := hkey{p.Fund, p.Holder}
		m.bal[k] += p.Amount
		if m.dated[k] == nil {
			m.dated[k] = map[string]int64{}
		}
		m.dated[k][r.Date] += p.Amount
		if p.Amount > 0 {
			m.holdings[k] = true
		}
		switch r.Base {
		case ledger.TypeReceipt:
			m.received[p.Fund] += p.Amount
		case ledger.TypeExpenditure, ledger.TypeSubsidy:
			m.spent[p.Fund] -= p.Amount
		}
	}
	if r.Retention {
		project := strings.TrimPrefix(r.From, "project:")
		if r.ReversalOf == "" {
			m.retained[project] -= r.Amount
		} else {
			m.retained[project] += r.Amount
		}
	}
	if r.ReversalOf != "" {
		m.byID[r.ReversalOf].Reversed = true
	}
	m.recs = append(m.recs, r)
	m.byID[r.ID] = r
}

// pickRec returns a transfer chosen by f from the ones known, or nil.
func (m *model) pickRec(f func(n int) int) *rec {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.recs) == 0 {
		return nil
	}
	r := *m.recs[f(len(m.recs))]
	return &r
}

// rec returns a copy of a known transfer.
func (m *model) rec(id string) *rec {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.byID[id]; ok {
		c := *r
		return &c
	}
	return nil
}

func runKey(scheme, period string) string { return scheme + "/" + period }

func settleKey(scheme, period, project string) string { return scheme + "/" + period + "/" + project }

func ratingKey(project, period string) string { return project + "/" + period }

// entitlement is what the harness's schemes owe a project for a period: the
// rate (2.50 or 3.00 yuan per household and month, as rate fen) ×
// households × 3 months × the ratio of the highest band at or below the
// score; nothing without a property manager or a rating. The figures are
// chosen so the result is a whole number of fen, computed here without the
// subsidy package's code.
func entitlement(rate, households int64, hasManager bool, score versioned, rated bool) int64 {
	if !hasManager || !rated {
		return 0
	}
	var pct int64
	switch {
	case score.Value >= 90_00:
		pct = 100
	case score.Value >= 80_00:
		pct = 80
	case score.Value >= 60_00:
		pct = 50
	}
	return rate * households * 3 * pct / 100
}

// predictRun computes the lines a new run of the scheme for the period
// should have: entitlement minus what paid runs settled, per project.
func (m *model) predictRun(wd *world, sc *schemeInfo, period string) map[string]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int64{}
	for _, p := range wd.projects {
		if sc.District != "" && p.District != sc.District {
			continue
		}
		s, rated := m.scores[ratingKey(p.Code, period)]
		ent := entitlement(m.rates[sc.Code].Value, p.Households, m.managers[p.Code] > 0, s, rated)
		out[p.Code] = ent - m.settled[settleKey(sc.Code, period, p.Code)]
	}
	return out
}

// planByIDCopy returns a copy of a plan as the model knows it now.
func (m *model) planByIDCopy(id string) *planRec {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := *m.planByID[id]
	return &p
}

// runByIDCopy returns a copy of a run as the model knows it now.
func (m *model) runByIDCopy(id string) *runRec {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := *m.runByID[id]
	return &r
}
