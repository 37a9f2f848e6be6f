package subsidy

import (
	"context"
	"fmt"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/creditcode"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/schedule"
	"renofund/internal/store"
)

// fixture is a small city: districts, projects, a subsidy fund with money
// at the city, and the subsidy service, acting as the finance bureau: ctx
// drafts, rev (a second finance person) approves.
type fixture struct {
	t    testing.TB
	db   *store.DB
	svc  *Service
	reg  *funding.Registry
	fund *movement.Service
	ctx  context.Context
	rev  context.Context
}

func financeCtx() context.Context {
	return access.With(context.Background(), access.Actor{Role: access.Finance, Name: "t"})
}

func reviewerCtx() context.Context {
	return access.With(context.Background(), access.Actor{Role: access.Finance, Name: "r"})
}

func districtCtx(d string) context.Context {
	return access.With(context.Background(), access.Actor{Role: access.District, District: d, Name: "d-" + d})
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	l := ledger.New(db)
	reg := funding.NewRegistry(db, l)
	svc := NewService(db, l, testRegistry{reg})
	svc.CheckSchedule = schedule.Check
	return &fixture{t: t, db: db, svc: svc, reg: reg, fund: movement.New(db, l, reg), ctx: financeCtx(),
		rev: reviewerCtx()}
}

// testRegistry answers the subsidy service from the funding registry, as
// internal/app does in the binary (which these tests cannot import: it
// imports this package).
type testRegistry struct{ reg *funding.Registry }

func (r testRegistry) PayingFund(ctx context.Context, code string) (Fund, error) {
	f, err := r.reg.LoadFund(ctx, code)
	if err != nil {
		return Fund{}, err
	}
	return Fund{Code: f.Code, Categories: f.EligibleCategories, ExpiresOn: f.ExpiresOn, DocumentNo: f.DocumentNo}, nil
}

func (r testRegistry) Payer(ctx context.Context, holder string) (string, error) {
	h, err := r.reg.Holder(ctx, holder)
	if err == nil && h.Project != "" {
		err = fmt.Errorf("%w: holder %q must be city or district:CODE", errs.ErrInvalidRequest, holder)
	}
	return h.District, err
}

func (r testRegistry) Project(ctx context.Context, code string) (Project, error) {
	p, err := r.reg.Project(ctx, code)
	if err != nil {
		return Project{}, err
	}
	return Project{Code: p.Code, District: p.District, Households: p.Households, FloorArea: p.FloorAreaM2.String()}, nil
}

func (r testRegistry) Projects(ctx context.Context, district string) ([]Project, error) {
	ps, err := r.reg.AllProjects(ctx, district)
	out := make([]Project, len(ps))
	for i, p := range ps {
		out[i] = Project{Code: p.Code, District: p.District, Households: p.Households, FloorArea: p.FloorAreaM2.String()}
	}
	return out, err
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) districts(codes ...string) {
	f.t.Helper()
	for _, c := range codes {
		_, err := f.reg.CreateDistrict(f.ctx, funding.District{Code: c, Name: "区 " + c})
		f.must(err)
	}
}

func (f *fixture) project(code, district string, households int64, area string) {
	f.t.Helper()
	_, err := f.reg.CreateProject(f.ctx, funding.Project{Code: code, Name: "小区 " + code, District: district,
		Households: households, FloorAreaM2: money.MustRate(area), Buildings: 3, BuiltYear: 1995})
	f.must(err)
}

// subsidyFund registers fund code at the city and receives amount into it.
func (f *fixture) subsidyFund(code, amount string) {
	f.t.Helper()
	_, err := f.reg.CreateFund(f.ctx, funding.Fund{Code: code, Kind: "city_fiscal", Name: "物业补贴资金",
		Holder: "city", FiscalYear: 2021, DocumentNo: "连财建〔2021〕12号",
		EligibleCategories: []string{"basic", "improvement", "upgrade"}})
	f.must(err)
	f.receive(code, amount)
}

func (f *fixture) receive(code, amount string) {
	f.t.Helper()
	if money.MustParse(amount) == 0 {
		return
	}
	_, err := f.fund.Receive(f.ctx, movement.Receipt{Fund: code, Amount: money.MustParse(amount),
		ReceivedOn: "2021-01-05", Payer: movement.Party{Name: "连云港市财政局"}})
	f.must(err)
}

// code returns a valid unified social credit code numbered n.
func code(n int) string { return creditcode.Complete(fmt.Sprintf("9132070%010d", n)) }

// manager appoints company n as the project's property manager from 2021.
func (f *fixture) manager(project string, n int) { f.contract(project, n, "2021-01-01", "") }

// contract records company n's management contract of the project from
// from to to (inclusive; "" for open-ended).
func (f *fixture) contract(project string, n int, from, to string) {
	f.t.Helper()
	_, err := f.svc.SetPropertyManager(f.ctx, project, managerN(n, from, to))
	f.must(err)
}

func managerN(n int, from, to string) PropertyManager {
	return PropertyManager{Name: fmt.Sprintf("物业公司 %d", n), CreditCode: code(n),
		BankAccount: fmt.Sprintf("6222%012d", n), From: from, To: to}
}

func (f *fixture) rate(project, period, score string) {
	f.t.Helper()
	s, err := ParseScore(score)
	f.must(err)
	_, err = f.svc.RecordRating(f.ctx, Rating{Project: project, Period: period, Score: &s,
		Components: map[string]Score{"cleaning": s}, Assessors: []string{"张三", "李四"}, OwnerReps: 5})
	f.must(err)
}

func (f *fixture) scheme(sc Scheme) *Scheme {
	f.t.Helper()
	got, err := f.svc.CreateScheme(f.ctx, sc)
	f.must(err)
	return got
}

func (f *fixture) balance(fund, holder string) money.Amount {
	f.t.Helper()
	b, err := ledger.New(f.db).Balance(context.Background(), fund, holder)
	f.must(err)
	return b
}

// paidTo sums the subsidy transfers posted for a project.
func (f *fixture) paidTo(project string) money.Amount {
	f.t.Helper()
	var sum int64
	f.must(f.db.G.Raw("SELECT COALESCE(SUM(amount), 0) FROM transfers WHERE type = ? AND project_code = ?",
		ledger.TypeSubsidy, project).Scan(&sum).Error)
	return money.Amount(sum)
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	f.must(f.db.G.Raw(q, args...).Scan(&n).Error)
	return n
}

func bands(pairs ...string) []Band {
	var bs []Band
	for i := 0; i < len(pairs); i += 2 {
		s, err := ParseScore(pairs[i])
		if err != nil {
			panic(err)
		}
		bs = append(bs, Band{MinScore: s, Ratio: money.MustRate(pairs[i+1])})
	}
	return bs
}

// standardBands is the example of DOMAIN.md: ≥ 90 → 100%, ≥ 80 → 90%,
// ≥ 70 → 80%, ≥ 60 → 50%, below → 0.
func standardBands() []Band { return bands("90", "1", "80", "0.9", "70", "0.8", "60", "0.5") }

func amountPtr(s string) *money.Amount {
	a := money.MustParse(s)
	return &a
}

func scorePtr(s string) *Score {
	v, err := ParseScore(s)
	if err != nil {
		panic(err)
	}
	return &v
}
