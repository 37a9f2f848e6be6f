package schedule

import (
	"context"
	"errors"
	"fmt"
)

// Sources runs the jobs of several sources as one: the subsidy schedules
// and the monthly bulletin, say. A job name must be unique across them; a
// name two sources list stops Specs with an error naming it, since a
// scheduler could not tell whose job it runs.
type Sources []Jobs

// Specs lists every source's jobs.
func (ss Sources) Specs(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for _, src := range ss {
		specs, err := src.Specs(ctx)
		if err != nil {
			return nil, err
		}
		for name, spec := range specs {
			if _, dup := out[name]; dup {
				return nil, fmt.Errorf("job %q is listed by two sources", name)
			}
			out[name] = spec
		}
	}
	return out, nil
}

// ErrNoSuchJob reports a job no source lists.
var ErrNoSuchJob = errors.New("schedule: no source lists the job")

// Run runs the job in the source that lists it.
func (ss Sources) Run(ctx context.Context, name string) (string, error) {
	for _, src := range ss {
		specs, err := src.Specs(ctx)
		if err != nil {
			return "", err
		}
		if _, ok := specs[name]; ok {
			return src.Run(ctx, name)
		}
	}
	return "", fmt.Errorf("%w: %q", ErrNoSuchJob, name)
}
