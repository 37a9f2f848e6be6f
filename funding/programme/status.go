package programme

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/store"
)

// Refusals of a status change, each a 422 that writes nothing.
var (
	ErrInvalidStatusChange = errs.New(errs.Rule, "invalid_status_change",
		"a project's status moves forward one step at a time, dated no earlier than the step before")
	ErrPlanYearMissing      = errs.New(errs.Rule, "plan_year_missing", "a planned project needs a plan year")
	ErrNoSignedContract     = errs.New(errs.Rule, "no_signed_contract", "construction starts under a signed contract")
	ErrContractsNotAccepted = errs.New(errs.Rule, "contracts_not_accepted", "every contract must have passed acceptance")
	ErrContractsNotSettled  = errs.New(errs.Rule, "contracts_not_settled", "every contract must be settled")
)

// StatusIn is a status change as requested.
type StatusIn struct {
	Status     string `json:"status"`
	On         string `json:"on"`
	DocumentNo string `json:"document_no"`
	Note       string `json:"note,omitempty"`
}

// Step is one recorded status change.
type Step struct {
	Seq        int    `json:"seq"`
	Status     string `json:"status"`
	On         string `json:"on"`
	DocumentNo string `json:"document_no"`
	Note       string `json:"note,omitempty"`
	RecordedBy string `json:"recorded_by"`
	RecordedAt string `json:"recorded_at"`
}

// Standing is a project's status with its history: reserve, with no
// steps, for a project nobody has moved.
type Standing struct {
	Project  string `json:"project"`
	District string `json:"district"`
	Status   string `json:"status"`
	PlanYear *int   `json:"plan_year"`
	History  []Step `json:"history"`
}

// rank is a status's place in the pipeline (-1: none).
func rank(status string) int { return slices.Index(funding.Statuses, status) }

// Status returns a project's status and history (scoped).
func (s *Service) Status(ctx context.Context, code string) (*Standing, error) {
	p, err := s.reg.Project(ctx, code)
	if err != nil {
		return nil, err
	}
	steps, err := history(s.db.Conn(ctx), code)
	if err != nil {
		return nil, err
	}
	return &Standing{Project: p.Code, District: p.District, Status: p.Status, PlanYear: p.PlanYear, History: steps}, nil
}

func history(tx *gorm.DB, code string) ([]Step, error) {
	var rows []struct {
		Seq                                                int
		Status, OnDate, DocumentNo, RecordedBy, RecordedAt string
		Note                                               *string
	}
	err := tx.Raw(`SELECT seq, status, on_date, document_no, note, recorded_by, recorded_at FROM project_status_steps
		WHERE project_code = ? ORDER BY seq`, code).Scan(&rows).Error
	out := make([]Step, len(rows))
	for i, r := range rows {
		out[i] = Step{Seq: r.Seq, Status: r.Status, On: r.OnDate, DocumentNo: r.DocumentNo, Note: store.Str(r.Note),
			RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
	}
	return out, err
}

func (in StatusIn) check() error {
	if rank(in.Status) < 0 {
		return fmt.Errorf("%w: status %q is not one of reserve, planned, under_construction, accepted, settled, closed",
			errs.ErrInvalidRequest, in.Status)
	}
	if err := PastDate("on", in.On); err != nil {
		return err
	}
	if err := field.Text("document_no", in.DocumentNo, true, 200); err != nil {
		return err
	}
	return field.Text("note", in.Note, false, 2000)
}

// ChangeStatus moves a project one step forward (finance, or the project's
// own district). planned needs a plan year, under_construction a contract
// signed by then, accepted every contract passed acceptance by then,
// settled every contract settled by then; closed is recorded by closing the
// final accounts, never here. The project's row is locked throughout, so
// two changes at once are taken one after the other.
func (s *Service) ChangeStatus(ctx context.Context, code string, in StatusIn) (*Standing, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.Status == funding.StatusClosed {
		return nil, fmt.Errorf("%w: a project is closed with its final accounts (POST /v1/projects/%s/close)",
			ErrInvalidStatusChange, code)
	}
	if _, err := s.reg.Project(ctx, code); err != nil {
		return nil, err
	}
	var p *lockedProject
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if p, err = lockProject(s.db, tx, code); err != nil {
			return err
		}
		if err := funding.Writable(access.From(ctx), p.District); err != nil {
			return err
		}
		if rank(in.Status) != rank(p.Status)+1 {
			return fmt.Errorf("%w: project %s is %s; it cannot become %s", ErrInvalidStatusChange, code, p.Status, in.Status)
		}
		if err := s.requirements(tx, p, in); err != nil {
			return err
		}
		return appendStep(ctx, tx, code, in)
	})
	if err != nil {
		return nil, err
	}
	// Read from the rows, not the registry: a request's lookups may hold
	// the project as it stood before this step.
	steps, err := history(s.db.Conn(ctx), code)
	if err != nil {
		return nil, err
	}
	return &Standing{Project: p.Code, District: p.District, Status: in.Status, PlanYear: p.PlanYear, History: steps}, nil
}

// requirements checks what a step needs of the project's plan and contracts.
func (s *Service) requirements(tx *gorm.DB, p *lockedProject, in StatusIn) error {
	var c struct{ Signed, Total, Accepted, Settled int }
	err := tx.Raw(`SELECT COUNT(*) AS total,
		COALESCE(SUM(CASE WHEN c.signed_on <= ? THEN 1 ELSE 0 END), 0) AS signed,
		COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM acceptances a WHERE a.contract_id = c.id AND a.result = 'passed'
			AND a.accepted_on <= ?) THEN 1 ELSE 0 END), 0) AS accepted,
		COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM settlements st WHERE st.contract_id = c.id
			AND st.settled_on <= ?) THEN 1 ELSE 0 END), 0) AS settled
		FROM contracts c WHERE c.project_code = ?`, in.On, in.On, in.On, p.Code).Scan(&c).Error
	if err != nil {
		return err
	}
	switch in.Status {
	case funding.StatusPlanned:
		if p.PlanYear == nil {
			return fmt.Errorf("%w: give project %s its plan_year first (PUT /v1/projects/%s)", ErrPlanYearMissing, p.Code, p.Code)
		}
	case funding.StatusUnderConstruction:
		if c.Signed == 0 {
			return fmt.Errorf("%w: project %s has no contract signed on or before %s", ErrNoSignedContract, p.Code, in.On)
		}
	case funding.StatusAccepted:
		if c.Accepted < c.Total || c.Total == 0 {
			return fmt.Errorf("%w: %d of project %s's %d contracts passed acceptance on or before %s",
				ErrContractsNotAccepted, c.Accepted, p.Code, c.Total, in.On)
		}
	case funding.StatusSettled:
		if c.Settled < c.Total || c.Total == 0 {
			return fmt.Errorf("%w: %d of project %s's %d contracts are settled on or before %s",
				ErrContractsNotSettled, c.Settled, p.Code, c.Total, in.On)
		}
	}
	return nil
}

type lockedProject struct {
	Code, District, Status string
	PlanYear               *int
}

func lockProject(db *store.DB, tx *gorm.DB, code string) (*lockedProject, error) {
	var rows []struct {
		Code, DistrictCode, Status string
		PlanYear                   *int
	}
	err := tx.Raw("SELECT code, district_code, status, plan_year FROM projects WHERE code = ?"+db.ForUpdate(), code).
		Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: project %q", errs.ErrNotFound, code)
	}
	r := rows[0]
	return &lockedProject{Code: r.Code, District: r.DistrictCode, Status: r.Status, PlanYear: r.PlanYear}, nil
}

// appendStep records a step after the project's last, dated no earlier,
// and makes it the project's status. The caller holds the project's lock.
func appendStep(ctx context.Context, tx *gorm.DB, code string, in StatusIn) error {
	var last []struct {
		Seq    int
		OnDate string
	}
	err := tx.Raw(`SELECT seq, on_date FROM project_status_steps WHERE project_code = ? ORDER BY seq DESC LIMIT 1`, code).
		Scan(&last).Error
	if err != nil {
		return err
	}
	seq := 1
	if len(last) > 0 {
		if in.On < last[0].OnDate {
			return fmt.Errorf("%w: %s is before the last step's date %s", ErrInvalidStatusChange, in.On, last[0].OnDate)
		}
		seq = last[0].Seq + 1
	}
	err = tx.Exec(`INSERT INTO project_status_steps (project_code, seq, status, on_date, document_no, note, recorded_by,
		recorded_at) VALUES (?,?,?,?,?,?,?,?)`, code, seq, in.Status, in.On, in.DocumentNo, store.Null(in.Note),
		access.From(ctx).Label(), store.Now()).Error
	if err != nil {
		return err
	}
	return tx.Exec("UPDATE projects SET status = ? WHERE code = ?", in.Status, code).Error
}

// RecordClosed writes a project's step to closed, on the date and document
// of its final accounts' closing, inside the transaction that closes them
// (the caller holds the project's holdings' lock; the project's row is
// locked here). A closing dated before the project's last step is refused.
func RecordClosed(ctx context.Context, db *store.DB, code, on, documentNo string) error {
	return db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if _, err := lockProject(db, tx, code); err != nil {
			return err
		}
		return appendStep(ctx, tx, code, StatusIn{Status: funding.StatusClosed, On: on, DocumentNo: documentNo,
			Note: "决算 final accounts closed"})
	})
}

// ProjectAsOf is a planned project's status as it stood on a date: the last
// step dated on or before it (reserve when there is none), and since when.
type ProjectAsOf struct {
	Code, Name, DistrictCode string
	PlanYear                 int
	Status, Since            string
}

// StatusesAsOf lists the projects planned for a year up to date's, each
// with its status as of date (steps dated later do not count yet).
func StatusesAsOf(ctx context.Context, db *store.DB, date string) ([]ProjectAsOf, error) {
	var rows []ProjectAsOf
	last := func(col string) string {
		return `(SELECT s.` + col + ` FROM project_status_steps s WHERE s.project_code = p.code AND s.on_date <= ?
			ORDER BY s.seq DESC LIMIT 1)`
	}
	err := db.Conn(ctx).Raw(`SELECT p.code, p.name, p.district_code, p.plan_year,
		COALESCE(`+last("status")+`, ?) AS status, COALESCE(`+last("on_date")+`, '') AS since
		FROM projects p WHERE p.plan_year IS NOT NULL AND p.plan_year <= ? ORDER BY p.code`,
		date, funding.StatusReserve, date, date[:4]).Scan(&rows).Error
	return rows, err
}

// Reached reports whether a status is at or past another in the pipeline.
func Reached(status, milestone string) bool { return rank(status) >= rank(milestone) }
